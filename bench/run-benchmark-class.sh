# Sourced by the bench scripts that run one benchmark class in a plain JVM against target/classes:
#   run_benchmark_class <out dir> <Class> <-Xmx> [args...]
# compiles bench/src/main/java/io/medallion/bench/<Class>.java (with javac, against Maven's Spark
# class path and target/classes, compiled first if missing) into <out dir>/classes, then runs it
# with <out dir>/work as its first argument; its output goes to <out dir>/results.txt (with the
# machine's load before and after), its stderr to <out dir>/stderr.txt. Run from the project folder.
run_benchmark_class() {
  local out=$1 class=$2 heap=$3; shift 3
  rm -rf "$out" && mkdir -p "$out/classes"
  if [[ ! -d target/classes/io/medallion/table || ! -f target/spark-classpath.txt ]]; then
    mvn -q -B -o -DskipTests compile
  fi
  local cp opens
  cp="$(cat target/spark-classpath.txt):target/classes"
  javac -nowarn -d "$out/classes" -cp "$cp" -sourcepath bench/src/main/java "bench/src/main/java/io/medallion/bench/$class.java"
  opens=$(grep -A20 '<spark.java17.opens>' pom.xml | tr '\n' ' ' | sed 's/.*<spark.java17.opens>\(.*\)<\/spark.java17.opens>.*/\1/')
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee "$out/results.txt"
  # shellcheck disable=SC2086
  java "$heap" $opens -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$cp:$out/classes" \
    "io.medallion.bench.$class" "$(realpath -m "$out/work")" "$@" 2> "$out/stderr.txt" | tee -a "$out/results.txt"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/results.txt"
}
