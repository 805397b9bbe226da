#!/usr/bin/env bash
# Issue 17: bronze from Parquet, medallion vs the hand-written spark.read.parquet(...) -> Delta job,
# as whole processes side by side (see docs/cloudfiles.md, "Performance"):
#   bench/run-parquet.sh [rounds=3] [rows=3000000]
# Generates the input once (Spark writes it) under target/bench-data/parquet-<rows>, then runs the
# two variants interleaved (spark, medallion, spark, medallion, ...), each a fresh JVM writing a
# fresh Delta table, and prints the wall times, their medians and the ratio (also written to
# target/bench/parquet/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
ROWS=${2:-3000000}
OUT=target/bench/parquet
DATA=target/bench-data/parquet-$ROWS
mkdir -p "$OUT"

mvn -B -q -o -Pbench test-compile >/dev/null 2>&1 || mvn -B -q -Pbench test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="target/classes:target/test-classes:$(cat "$OUT/cp.txt")"
OPENS=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' pom.xml)
JAVA=(java -Xmx6g $OPENS -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$CP")

if [ ! -f "$DATA/_SUCCESS" ]; then
  echo "generating $ROWS rows of Parquet under $DATA ..."
  "${JAVA[@]}" io.medallion.bench.ParquetBenchmark generate "$DATA" "$ROWS" | grep rows
fi
ABS=$(cd "$DATA" && pwd)
cat > "$OUT/env.conf" <<CONF
env {
  name = bench
  platform = oss
  storage-root = $PWD/$OUT/run
  landing-root = \${env.storage-root}/landing
  warehouse-root = \${env.storage-root}/warehouse
  checkpoint-root = \${env.storage-root}/checkpoints
  catalogs { bronze = bench_bronze, silver = bench_silver, gold = bench_gold }
  master = "local[2]"
  spark-conf { "spark.sql.shuffle.partitions" = "4", "spark.ui.enabled" = "false" }
}
CONF
cat > "$OUT/pipeline.conf" <<CONF
pipeline {
  name = pq
  schema = air
  bronze { flights { source { type = files, path = "$ABS", format = parquet } } }
}
CONF

run() { # variant -> seconds
  rm -rf "$OUT/run" "$OUT/spark-target"
  local t0 t1
  t0=$(date +%s.%N)
  if [ "$1" = spark ]; then
    "${JAVA[@]}" io.medallion.bench.ParquetBenchmark spark "$ABS" "$OUT/spark-target" >"$OUT/last-$1.log" 2>&1
  else
    "${JAVA[@]}" io.medallion.cli.Main run --pipeline "$PWD/$OUT/pipeline.conf" --env "$PWD/$OUT/env.conf" >"$OUT/last-$1.log" 2>&1
  fi
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

declare -a S M
for i in $(seq 1 "$ROUNDS"); do
  s=$(run spark); m=$(run medallion)
  S+=("$s"); M+=("$m")
  echo "round $i: spark ${s}s  medallion ${m}s  (load $(cut -d' ' -f1 /proc/loadavg))"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms=$(median "${S[@]}"); mm=$(median "${M[@]}")
ratio=$(echo "scale=3; $mm / $ms" | bc)
{
  echo "| variant | runs (s) | median (s) |"
  echo "|---|---|---|"
  echo "| spark.read.parquet -> Delta (hand-written) | ${S[*]} | $ms |"
  echo "| medallion bronze (cloudFiles, parquet) | ${M[*]} | $mm |"
  echo
  echo "ratio medallion / hand-written: ${ratio}x ($ROWS rows, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
} | tee "$OUT/results.md"
