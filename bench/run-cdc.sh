#!/usr/bin/env bash
# Issue 12's CDC benchmark (bench/src/main/java/io/medallion/bench/CdcBenchmark.java): an SCD2 table
# of 1,000,000 keys receives 100,000 changes (10% deletes, 20% delivered late across batches);
# medallion's CDC engine and the best hand-written Delta MERGE, side by side in ONE JVM, timed on the
# change batches, both checked against a plain-Java reference model.
#   bench/run-cdc.sh [keys] [changes] [batches]      (defaults 1000000 100000 5)
# Writes its tables under target/bench/cdc and its output to target/bench/cdc/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/run-benchmark-class.sh
run_benchmark_class target/bench/cdc CdcBenchmark -Xmx8g "$@"
