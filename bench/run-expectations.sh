#!/usr/bin/env bash
# The expectations benchmark of issue 5 in one command (see bench/README.md):
#   bench/run-expectations.sh [benchmark options, e.g. --rounds 5 --variants a,b]
# Generates the input if missing (target/bench/expectations/input, ~490 MB, not committed), builds
# with the bench profile (Deequ), runs the benchmark and prints the results table, also written to
# target/bench/expectations/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 bench/generate-expectations-data.py --out target/bench/expectations/input

# Offline when the local repository has everything (it usually does); else resolve once online.
MVN=(mvn -B -q -Pbench)
if ! "${MVN[@]}" -o test-compile exec:help >/dev/null 2>&1; then
  echo "resolving the bench profile's dependencies (Deequ, build-helper) online..."
  "${MVN[@]}" test-compile exec:help >/dev/null
fi

# Every argument goes to the benchmark; exec:exec takes them as one property.
"${MVN[@]}" -o exec:exec@bench-expectations -Dbench.args="$*"
