#!/usr/bin/env bash
# The crm demo (conf/pipelines/crm.conf) as a scheduled job, whole spark-submit processes as a user
# runs them, two variants side by side:
#   streaming: the demo since 2026-12-05, both CDC tables reading both bronze tables incrementally
#              (from = [bronze.customers_cdc, bronze.customers_full]);
#   batch:     the same tables with from = bronze.customers_cdc and execution = batch, the demo
#              before: every run re-reads both bronze tables whole.
#   bench/run-crm.sh [--rounds N] [--customers C] [--files F]
# Defaults: 2 rounds, a full load of C=200000 customers, F=40 change files of 10 changes each
# (scripts/generate-crm-data.py, generated once under target/bench/crm). Per round and variant
# (alternating which goes first), on fresh storage: a first run with F-1 change files; then the
# last file lands and an incremental run; then a run with nothing new. Prints wall and CPU
# (user+sys) seconds per run, the medians and the ratios streaming / batch, and checks that both
# variants print the same gold rows (--show-gold) after the incremental run.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=2 customers=200000 files=40
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --customers) customers=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=target/bench/crm
input="$out/input-$customers-$files"
rm -rf "$out/runs" "$out/conf" && mkdir -p "$out/runs" "$out/conf"
if [[ ! -f "$input/done" ]]; then
  rm -rf "$input"
  python3 scripts/generate-crm-data.py "$input" "$customers" "$files"
  touch "$input/done"
fi
last=$(ls "$input/crm/customers/cdc" | sort | tail -n 1)
cp conf/pipelines/crm.conf "$out/conf/streaming.conf"
python3 - "$out/conf/batch.conf" <<'PY'
import sys
s = open("conf/pipelines/crm.conf").read()
old = "from = [bronze.customers_cdc, bronze.customers_full]"
assert s.count(old) == 2, "conf/pipelines/crm.conf changed: update bench/run-crm.sh"
open(sys.argv[1], "w").write(s.replace(old, "from = bronze.customers_cdc\n      execution = batch"))
PY
ls target/medallion-*.jar >/dev/null 2>&1 || mvn -q -B -o -DskipTests package

# submit <variant> <round> <run> [cli options]: one spark-submit process, timed; lines to runs/
submit() {
  local variant=$1 round=$2 run=$3; shift 3
  local storage="$out/runs/$variant-$round"
  /usr/bin/time -f "%e %U %S" -o "$storage.$run.time" env MEDALLION_STORAGE_ROOT="$storage" \
    MEDALLION_LANDING_ROOT="$storage/landing" MEDALLION_LOG_FILE="$storage.$run.spark.log" \
    scripts/spark-submit.sh run --pipeline "$out/conf/$variant.conf" --env local "$@" >"$storage.$run.out" 2>&1 \
    || { echo "$variant round $round $run failed:"; tail -n 20 "$storage.$run.out"; exit 1; }
  read -r wall user sys <"$storage.$run.time"
  printf '%s\t%s\t%s\t%s\t%.1f\n' "$variant" "$round" "$run" "$wall" "$(echo "$user + $sys" | bc)" | tee -a "$out/results.tsv"
}
: >"$out/results.tsv"
for ((r = 1; r <= rounds; r++)); do
  order="streaming batch"; ((r % 2 == 0)) && order="batch streaming"
  for v in $order; do
    storage="$out/runs/$v-$r"
    mkdir -p "$storage/landing/crm/customers/cdc"
    cp -r "$input/crm/customers/full" "$storage/landing/crm/customers/"
    find "$input/crm/customers/cdc" -name '*.csv' ! -name "$last" -exec cp {} "$storage/landing/crm/customers/cdc/" \;
    submit "$v" "$r" first
    cp "$input/crm/customers/cdc/$last" "$storage/landing/crm/customers/cdc/"
    submit "$v" "$r" incremental --show-gold
    submit "$v" "$r" nothing-new
  done
  # the same gold rows in both variants
  diff <(grep -E '^\|' "$out/runs/streaming-$r.incremental.out") <(grep -E '^\|' "$out/runs/batch-$r.incremental.out") >/dev/null \
    || { echo "round $r: the variants' gold tables differ"; exit 1; }
  [[ -n "$(grep -E '^\|' "$out/runs/streaming-$r.incremental.out")" ]] || { echo "round $r: no gold rows printed"; exit 1; }
done
python3 - "$out/results.tsv" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
print("\n| run | streaming wall / CPU s (median) | batch wall / CPU s (median) | streaming / batch (wall) |")
print("|---|---|---|---:|")
for run in ["first", "incremental", "nothing-new"]:
    m = {}
    for v in ["streaming", "batch"]:
        w = [float(r[3]) for r in rows if r[0] == v and r[2] == run]
        c = [float(r[4]) for r in rows if r[0] == v and r[2] == run]
        m[v] = (statistics.median(w), statistics.median(c))
    print(f"| {run} | {m['streaming'][0]:.1f} / {m['streaming'][1]:.1f} | {m['batch'][0]:.1f} / {m['batch'][1]:.1f} | {m['streaming'][0] / m['batch'][0]:.2f}x |")
PY
