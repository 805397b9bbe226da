#!/usr/bin/env bash
# A silver upsert into a large table, medallion's against the hand-written Delta MERGE, side by side
# in ONE JVM (bench/src/main/java/io/medallion/bench/UpsertBenchmark.java):
#   bench/run-upsert.sh [keys] [changes] [batches] [files]     (defaults 1000000 10000 5 8)
# Writes its tables under target/bench/upsert and its output to target/bench/upsert/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/run-benchmark-class.sh
run_benchmark_class target/bench/upsert UpsertBenchmark -Xmx6g "$@"
