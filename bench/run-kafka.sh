#!/usr/bin/env bash
# The Kafka bronze benchmark of issue 4 in one command (see bench/README.md):
#   bench/run-kafka.sh [benchmark options, e.g. --rounds 5 --variants a,a2,b,bo]
# Starts an in-process Kafka broker, fills a 2-partition topic with 1,000,000 JSON order events,
# builds with the bench profile, runs the variants interleaved and prints the results table, also
# written to target/bench/kafka/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# Offline when the local repository has everything (it usually does); else resolve once online.
MVN=(mvn -B -q -Pbench)
if ! "${MVN[@]}" -o test-compile exec:help >/dev/null 2>&1; then
  echo "resolving the bench profile's dependencies online..."
  "${MVN[@]}" test-compile exec:help >/dev/null
fi

# Every argument goes to the benchmark; exec:exec takes them as one property.
"${MVN[@]}" -o exec:exec@bench-kafka -Dbench.args="$*"
