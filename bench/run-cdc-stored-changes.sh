#!/usr/bin/env bash
# What an SCD1 table's stored changes cost its batches, and what `maintain` gives back
# (bench/src/main/java/io/medallion/bench/CdcStoredChangesBenchmark.java): two identical SCD1 tables,
# each updated in full several times; one has its stored changes maintained (superseded changes
# removed, OPTIMIZE, VACUUM); then both take the same small batches, side by side in ONE JVM.
#   bench/run-cdc-stored-changes.sh [keys] [rounds] [probes] [probe size]   (defaults 200000 10 5 2000)
# Writes its tables under target/bench/cdc-stored-changes and its output to results.txt there.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/run-benchmark-class.sh
run_benchmark_class target/bench/cdc-stored-changes CdcStoredChangesBenchmark -Xmx6g "$@"
