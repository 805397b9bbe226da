#!/usr/bin/env bash
# Incremental gold vs full recompute in the same run (see docs/gold.md):
#   bench/run-gold.sh [--rows 10000000] [--rounds 3]
# Writes a silver table of --rows rows, refreshes two gold tables with the same GROUP BY query
# (refresh = auto and refresh = full), appends 0.1% rows, runs both again and prints the two
# durations, the speed-up and the number of differing rows (must be 0).
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=(mvn -B -q -Pbench)
# Offline when the local repository has everything, the exec plugin included; else resolve once online.
if ! "${MVN[@]}" -o test-compile exec:help >/dev/null 2>&1; then
  echo "resolving the bench profile's dependencies online..."
  "${MVN[@]}" test-compile exec:help >/dev/null
fi
"${MVN[@]}" -o exec:exec@bench-gold -Dbench.args="$*"
