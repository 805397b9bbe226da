#!/usr/bin/env bash
# Runs medallion's job jar exactly as spark-submit would (org.apache.spark.deploy.SparkSubmit from
# the Maven classpath), without a Spark installation. Builds the jar first if it is missing.
#
#   scripts/spark-submit.sh run --pipeline retail --env local --show-gold
#   /path/to/medallion/scripts/spark-submit.sh run --conf-dir conf --pipeline iot --env conf/env/dev.conf
#   SPARK_MASTER=local[4] scripts/spark-submit.sh validate --pipeline retail --env local
#   SPARK_SUBMIT_ARGS="--conf spark.driver.memory=4g" scripts/spark-submit.sh run ...
#   MEDALLION_JAVA_OPTS="-XX:TieredStopAtLevel=1" scripts/spark-submit.sh run ...   # options of this JVM
#   MEDALLION_CDS=~/.cache/medallion scripts/spark-submit.sh run ...   # a class-data archive, see below
#
# MEDALLION_CDS=<folder> keeps a class-data archive (the JVM's AppCDS) of the classes Spark, Delta
# and Hadoop load, in that folder, one per java version and class path: the first run or validate
# with it writes the archive as its JVM exits (about 15 s more, once); every later command maps
# those classes instead of reading and verifying them from the jars (docs/performance.md, "A
# class-data archive": a no-change demo run 13.1 -> 7.4 s). For jobs that run again and again;
# off by default, since a new class path (another Spark or Delta version) pays the 15 s again.
# The JVM runs the classes it maps from there: keep the folder writable by the job's user only.
#
# Everything after the script name is passed to medallion (see README: CLI). The command runs in
# the caller's working directory: relative paths (--conf-dir, --pipeline/--env files, relative
# roots in the environment) are the caller's, never the medallion checkout's.
# Spark's own log lines (and stack traces) go to $MEDALLION_LOG_FILE (default
# ${TMPDIR:-/tmp}/medallion.log); the console shows medallion's lines and warnings.
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"

find_jar() {
  ls "$home"/target/medallion-*.jar 2>/dev/null | grep -v -e original -e sources -e javadoc -e tests | head -n 1 || true
}
jar=$(find_jar)
if [[ -z "$jar" || ! -f "$home/target/spark-classpath.txt" ]]; then
  echo "Building the job jar (mvn -q -DskipTests package in $home)..." >&2
  (cd "$home" && mvn -q -B -DskipTests package)
  jar=$(find_jar)
fi

opens=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
)

classpath="$(cat "$home/target/spark-classpath.txt")"

# The class-data archive (MEDALLION_CDS, above): used when it exists for this java and class path,
# else written by this JVM as it exits, under a temporary name renamed when complete (a JVM killed
# while writing leaves no archive that later runs would try to map).
cds=()
dump=""
if [[ -n "${MEDALLION_CDS:-}" ]]; then
  key=$( { java -version 2>&1; printf '%s' "$classpath"; } | sha1sum | cut -c1-16)
  archive="$MEDALLION_CDS/medallion-$key.jsa"
  if [[ -f "$archive" ]]; then
    cds=(-XX:SharedArchiveFile="$archive")
  elif [[ "${1:-}" == "run" || "${1:-}" == "validate" ]]; then # the commands that load Spark SQL and Delta
    mkdir -p "$MEDALLION_CDS"
    dump="$archive.$$.tmp"
    cds=(-XX:ArchiveClassesAtExit="$dump" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
fi

# shellcheck disable=SC2086
command=(java -Xmx2g ${MEDALLION_JAVA_OPTS:-} "${cds[@]}" "${opens[@]}"
  -Dlog4j2.configurationFile="$home/conf/log4j2.properties"
  -Dmedallion.log.file="${MEDALLION_LOG_FILE:-${TMPDIR:-/tmp}/medallion.log}"
  -cp "$classpath"
  org.apache.spark.deploy.SparkSubmit
  --master "${SPARK_MASTER:-local[2]}"
  --conf spark.ui.enabled=false
  ${SPARK_SUBMIT_ARGS:-}
  "$jar" "$@")

if [[ -z "$dump" ]]; then
  exec "${command[@]}"
fi
status=0
"${command[@]}" || status=$?
if [[ -s "$dump" ]]; then
  mv -f "$dump" "$archive"
else
  rm -f "$dump"
fi
exit "$status"
