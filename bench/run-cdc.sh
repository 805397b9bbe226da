#!/usr/bin/env bash
# Issue 12's CDC benchmark (bench/src/main/java/io/medallion/bench/CdcBenchmark.java): an SCD2 table
# of 1,000,000 keys receives 100,000 changes (10% deletes, 20% delivered late across batches);
# medallion's CDC engine and the best hand-written Delta MERGE, side by side in ONE JVM, timed on the
# change batches, both checked against a plain-Java reference model.
#   bench/run-cdc.sh [keys] [changes] [batches]      (defaults 1000000 100000 5)
# Writes its tables under target/bench/cdc and its output to target/bench/cdc/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench/cdc
rm -rf "$out" && mkdir -p "$out/classes"
if [[ ! -d target/classes/io/medallion/table || ! -f target/spark-classpath.txt ]]; then
  mvn -q -B -o -DskipTests compile
fi
cp="$(cat target/spark-classpath.txt):target/classes"
javac -nowarn -d "$out/classes" -cp "$cp" -sourcepath bench/src/main/java bench/src/main/java/io/medallion/bench/CdcBenchmark.java
opens=$(grep -A20 '<spark.java17.opens>' pom.xml | tr '\n' ' ' | sed 's/.*<spark.java17.opens>\(.*\)<\/spark.java17.opens>.*/\1/')
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee "$out/results.txt"
# shellcheck disable=SC2086
java -Xmx8g $opens -cp "$cp:$out/classes" io.medallion.bench.CdcBenchmark "$(realpath -m "$out/work")" "$@" \
  2> "$out/stderr.txt" | tee -a "$out/results.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/results.txt"
