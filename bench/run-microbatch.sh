#!/usr/bin/env bash
# Issue 14, goal 5: medallion's fixed cost per micro-batch over a plain foreachBatch + Delta append
# (see docs/performance.md):
#   bench/run-microbatch.sh [--files 1000] [--files-per-batch 10] [--rows-per-file 10] [--rounds 3]
# One JVM, variants interleaved after a warm-up round; prints the table and the cost per micro-batch
# (also target/bench/microbatch/results.md). The input is generated once under target/bench/microbatch.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=(mvn -B -q -Pbench)
if ! "${MVN[@]}" -o test-compile exec:help >/dev/null 2>&1; then
  echo "resolving the bench profile's dependencies online..."
  "${MVN[@]}" test-compile exec:help >/dev/null
fi
"${MVN[@]}" exec:exec@bench-microbatch -Dbench.args="$*"
