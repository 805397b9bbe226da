#!/usr/bin/env bash
# Runs medallion's job jar exactly as spark-submit would (org.apache.spark.deploy.SparkSubmit from
# the Maven classpath), without a Spark installation. Builds the jar first if it is missing.
#
#   scripts/spark-submit.sh run --pipeline retail --env local --show-gold
#   /path/to/medallion/scripts/spark-submit.sh run --conf-dir conf --pipeline iot --env conf/env/dev.conf
#   SPARK_MASTER=local[4] scripts/spark-submit.sh validate --pipeline retail --env local
#   SPARK_SUBMIT_ARGS="--conf spark.driver.memory=4g" scripts/spark-submit.sh run ...
#   MEDALLION_JAVA_OPTS="-XX:TieredStopAtLevel=1" scripts/spark-submit.sh run ...   # options of this JVM
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

# shellcheck disable=SC2086
exec java -Xmx2g ${MEDALLION_JAVA_OPTS:-} "${opens[@]}" -Dlog4j2.configurationFile="$home/conf/log4j2.properties" \
  -Dmedallion.log.file="${MEDALLION_LOG_FILE:-${TMPDIR:-/tmp}/medallion.log}" \
  -cp "$(cat "$home/target/spark-classpath.txt")" \
  org.apache.spark.deploy.SparkSubmit \
  --master "${SPARK_MASTER:-local[2]}" \
  --conf spark.ui.enabled=false \
  ${SPARK_SUBMIT_ARGS:-} \
  "$jar" "$@"
