#!/usr/bin/env bash
# What one full snapshot costs snapshot CDC (bench/src/main/java/io/medallion/bench/CdcSnapshotBenchmark.java):
# an SCD2 table of <keys> keys receives <snapshots> more snapshots (2% of keys changed, 0.5% gone,
# 0.5% new each), each timed from its derivation to its application.
#   bench/run-cdc-snapshot.sh [keys] [snapshots]      (defaults 500000 4)
# Writes its tables under target/bench/cdc-snapshot and its output to results.txt there.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/run-benchmark-class.sh
run_benchmark_class target/bench/cdc-snapshot CdcSnapshotBenchmark -Xmx6g "$@"
