#!/usr/bin/env bash
# cloudFiles (medallion's Auto Loader) vs Spark's own file stream source, in one command (see
# bench/README.md and docs/benchmarks.md):
#   bench/run-cloudfiles.sh [benchmark options, e.g. --phases backfill,incremental --files 20000]
# Generates the input once under target/bench-data/ (100,000 1-record JSON files; 20 files of
# 100,000 JSON rows), builds with the bench profile, runs the phases (memory, rows, backfill,
# incremental, s3) with the variants interleaved, prints each measurement as it is made (also appended
# to target/bench/cloudfiles/results.log) and the tables at the end (target/bench/cloudfiles/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."

MVN=(mvn -B -q -Pbench)
if ! "${MVN[@]}" -o test-compile exec:help >/dev/null 2>&1; then
  echo "resolving the bench profile's dependencies online..."
  "${MVN[@]}" test-compile exec:help >/dev/null
fi
mkdir -p target/bench/cloudfiles/tmp

"${MVN[@]}" -o exec:exec@bench-cloudfiles -Dbench.args="$*"
