#!/usr/bin/env bash
# Issue 14, goals 1 and 2: the retail demo pipeline against the hand-written job (plain Spark +
# Delta, bench/src/main/java/io/medallion/bench/HandWrittenRetail.java), whole processes through
# spark-submit, side by side:
#   bench/run-retail.sh [--rounds N]        (default 1; each round ~6 runs of the demo's size)
# Per round and variant (interleaved: hand, demo, hand, demo, ...), on fresh storage and a fresh
# copy of the demo's landing folder:
#   first run -> (demo only: a run with no new data, and validate) -> one new orders file -> incremental run.
# The demo's validate runs twice: before the first run, on fresh storage (creating the catalogs'
# folders), and after the no-change run, over the tables that run sees (reading their Delta logs).
# Prints wall and CPU (user+sys) seconds per run, medians over rounds and the ratios demo/hand
# (goal 2: <= 1.0 on the first and the incremental run) and no-change/validate (goal 1: <= 1.5;
# against both validates).
# Also writes target/bench/retail/results.md. CPU seconds matter on a shared machine: wall time
# there is mostly waiting for the other processes.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

out=target/bench/retail
rm -rf "$out" && mkdir -p "$out/classes"
# jar (the job jar itself, not its -sources, -javadoc or -tests companions), cp, opens
source bench/spark-submit-env.sh
javac -q -nowarn -d "$out/classes" -cp "$cp" bench/src/main/java/io/medallion/bench/HandWrittenRetail.java 2>/dev/null \
  || javac -d "$out/classes" -cp "$cp" bench/src/main/java/io/medallion/bench/HandWrittenRetail.java
(cd "$out/classes" && jar cf ../hand-written-retail.jar .)

# The hand-written job gets the file: file system medallion's CLI gives a local master
# (NoForkLocalFileSystem: no forked chmod/readlink per file), so both sides pay for local files
# what they would on a cluster's storage; it is in the job jar, put on the JVM's class path
# (spark-submit --conf alone cannot load it: SparkSubmit reads the job jar through file: first).
hand_fs=(--conf spark.hadoop.fs.file.impl=io.medallion.platform.internal.NoForkLocalFileSystem
  --conf 'spark.hadoop.fs.AbstractFileSystem.file.impl=io.medallion.platform.internal.NoForkLocalFileSystem$Fs')

# submit <label> <storage> <jar> [--class C] args...: one spark-submit process, timed.
submit() {
  local label=$1 storage=$2; shift 2
  # /usr/bin/time's line is the last one of the process's stderr file.
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" env MEDALLION_STORAGE_ROOT="$storage" MEDALLION_LANDING_ROOT="$storage/landing" \
    java -Xmx2g $opens -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$cp${extra_cp:+:$extra_cp}" \
    org.apache.spark.deploy.SparkSubmit --master local[2] --conf spark.ui.enabled=false "$@" \
    >"$storage/$label.out" 2>"$storage/$label.err" || { echo "$label failed: see $storage/$label.err" >&2; exit 1; }
  local wall user sys
  read -r wall user sys <<<"$(tail -n 1 "$storage/$label.err")"
  printf '%s %s %s\n' "$label" "$wall" "$(python3 -c "print(round($user + $sys, 1))")" | tee -a "$out/times.txt"
}

new_file() { # one new orders file: 20 new orders and 5 later versions of existing ones
  local day="$1/orders/2026/11/30"
  mkdir -p "$day"
  python3 - "$day/orders-new.json" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(20):
        f.write(json.dumps({"order_id": 900000 + i, "customer_id": 7, "order_ts": "2026-11-30T10:00:00",
                            "status": "placed", "amount": "12.50", "updated_at": "2026-11-30T10:00:00"}) + "\n")
    for i in range(5):
        f.write(json.dumps({"order_id": 1002 + i, "customer_id": 7, "order_ts": "2026-11-01T10:00:00",
                            "status": "shipped", "amount": "10.00", "updated_at": "2026-12-01T00:00:00"}) + "\n")
EOF
}

: >"$out/times.txt"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for r in $(seq 1 "$rounds"); do
  for variant in hand demo; do
    s=$(realpath -m "$out/$variant-$r") && mkdir -p "$s" && cp -r src/demo/retail/landing "$s/landing"
    if [[ $variant == hand ]]; then
      extra_cp=$jar submit "hand-first" "$s" "${hand_fs[@]}" --class io.medallion.bench.HandWrittenRetail "$out/hand-written-retail.jar" "$s/landing" "$s/tables"
      new_file "$s/landing"
      extra_cp=$jar submit "hand-incremental" "$s" "${hand_fs[@]}" --class io.medallion.bench.HandWrittenRetail "$out/hand-written-retail.jar" "$s/landing" "$s/tables"
    else
      submit "demo-validate" "$s" "$jar" validate --pipeline retail --env local
      submit "demo-first" "$s" "$jar" run --pipeline retail --env local
      submit "demo-nochange" "$s" "$jar" run --pipeline retail --env local
      submit "demo-validate-tables" "$s" "$jar" validate --pipeline retail --env local
      new_file "$s/landing"
      submit "demo-incremental" "$s" "$jar" run --pipeline retail --env local
      grep -h -e ' -> ' "$s/demo-nochange.out" | sed 's/^/  no-change: /'
      grep -h -e ' -> ' "$s/demo-incremental.out" | sed 's/^/  incremental: /'
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out/times.txt" "$out/results.md" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, wall, cpu = line.split()
    runs.setdefault(label, []).append((float(wall), float(cpu)))
med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
rows = ["| run | wall s (median) | CPU s (median) | n |", "|---|---:|---:|---:|"]
for k in sorted(med):
    rows.append(f"| {k} | {med[k][0]:.1f} | {med[k][1]:.1f} | {len(runs[k])} |")
def ratio(a, b, i):
    return f"{med[a][i] / med[b][i]:.2f}x" if a in med and b in med and med[b][i] else "n/a"
rows.append("")
rows.append(f"- goal 2, first run demo/hand: wall {ratio('demo-first', 'hand-first', 0)}, CPU {ratio('demo-first', 'hand-first', 1)}")
rows.append(f"- goal 2, incremental run demo/hand: wall {ratio('demo-incremental', 'hand-incremental', 0)}, CPU {ratio('demo-incremental', 'hand-incremental', 1)}")
rows.append(f"- goal 1, no-change run / validate: wall {ratio('demo-nochange', 'demo-validate', 0)}, CPU {ratio('demo-nochange', 'demo-validate', 1)}")
rows.append(f"- goal 1, no-change run / validate over the same tables: wall {ratio('demo-nochange', 'demo-validate-tables', 0)}, CPU {ratio('demo-nochange', 'demo-validate-tables', 1)}")
text = "\n".join(rows)
print(text)
open(sys.argv[2], "w").write(text + "\n")
EOF
