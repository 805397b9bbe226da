#!/usr/bin/env bash
# Issue 14, goal 3: independent tables run concurrently. A pipeline of four independent bronze
# tables (JSON files), whole processes through spark-submit as a user runs them, side by side:
#   bench/run-concurrency.sh [--rounds N] [--files F] [--rows R]
# (defaults 3 rounds; per table F=8 files of R=20000 rows, generated once under target/bench/concurrency).
# Per round and variant (interleaved: concurrent, sequential, concurrent, ...), on fresh storage:
#   first run (every file) -> one new file per table -> incremental run.
# concurrent: the default, one thread per ready table; sequential: --max-concurrent-tables 1, the
# tables one after another as before goal 3. Prints wall and CPU (user+sys) seconds per run, the
# medians and the ratios concurrent/sequential; checks every table's row count in both variants.
# Also writes target/bench/concurrency/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 files=8 rows=20000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

out=target/bench/concurrency
input="$out/input-$files-$rows"
rm -rf "$out/runs" "$out/conf" && mkdir -p "$out/runs" "$out/conf/pipelines" "$out/conf/env"
source bench/spark-submit-env.sh # jar, cp, opens

# files_of <dir> <first> <count> <table>: JSON lines, deterministic per (table, file)
files_of() {
  python3 - "$1" "$2" "$3" "$4" "$rows" <<'EOF'
import json, os, random, sys
folder, first, count, table, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
os.makedirs(folder, exist_ok=True)
for f in range(first, first + count):
    r = random.Random(f"{table}-{f}")
    with open(os.path.join(folder, f"part-{f:04d}.json"), "w") as out:
        for i in range(rows):
            out.write(json.dumps({"id": f * rows + i, "device": f"d{r.randrange(500)}",
                                  "ts": f"2026-12-0{1 + r.randrange(5)}T{r.randrange(24):02d}:{r.randrange(60):02d}:00Z",
                                  "value": round(r.uniform(-40, 125), 2), "status": r.choice(["ok", "warn", "error"])}) + "\n")
EOF
}
if [[ ! -f "$input/done" ]]; then
  rm -rf "$input"
  for t in 1 2 3 4; do files_of "$input/t$t" 0 "$files" "t$t"; done
  touch "$input/done"
fi

cat >"$out/conf/env/bench.conf" <<EOF
env {
  name = bench
  platform = oss
  storage-root = \${MEDALLION_STORAGE_ROOT}
  warehouse-root = \${env.storage-root}/warehouse
  checkpoint-root = \${env.storage-root}/checkpoints
  landing-root = \${MEDALLION_LANDING_ROOT}
  catalogs { bronze = bench_bronze, silver = bench_silver, gold = bench_gold }
  master = "local[2]"
  spark-conf { "spark.sql.shuffle.partitions" = "4", "spark.ui.enabled" = "false" }
}
EOF
{
  echo "pipeline {"
  echo "  name = four"
  echo "  schema = readings"
  for t in 1 2 3 4; do
    echo "  bronze.t$t.source { type = files, path = \${env.landing-root}/t$t, format = json,"
    echo "    schema = \"id BIGINT, device STRING, ts TIMESTAMP, value DOUBLE, status STRING\" }"
  done
  echo "}"
} >"$out/conf/pipelines/four.conf"

# submit <label> <storage> [cli options]: one spark-submit process running the pipeline, timed.
submit() {
  local label=$1 storage=$2; shift 2
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" env MEDALLION_STORAGE_ROOT="$storage" MEDALLION_LANDING_ROOT="$storage/landing" \
    java -Xmx2g $opens -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$cp" \
    org.apache.spark.deploy.SparkSubmit --master local[2] --conf spark.ui.enabled=false "$jar" \
    run --conf-dir "$out/conf" --pipeline four --env bench "$@" \
    >"$storage/$label.out" 2>"$storage/$label.err" || { echo "$label failed: see $storage/$label.err" >&2; exit 1; }
  local wall user sys
  read -r wall user sys <<<"$(tail -n 1 "$storage/$label.err")"
  printf '%s %s %s\n' "$label" "$wall" "$(python3 -c "print(round($user + $sys, 1))")" | tee -a "$out/times.txt"
}

# expect_rows <storage> <label> <rows per table>: every table's line says it wrote that many rows
expect_rows() {
  for t in 1 2 3 4; do
    grep -q "bronze.t$t -> bench_bronze.readings.t$t: read $3 rows, wrote $3 rows in " "$1/$2.out" \
      || { echo "$2: bronze.t$t did not write $3 rows: see $1/$2.out" >&2; exit 1; }
  done
}

: >"$out/times.txt"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for r in $(seq 1 "$rounds"); do
  for variant in concurrent sequential; do
    s=$(realpath -m "$out/runs/$variant-$r") && mkdir -p "$s/landing"
    for t in 1 2 3 4; do cp -r "$input/t$t" "$s/landing/t$t"; done
    opts=()
    [[ $variant == sequential ]] && opts=(--max-concurrent-tables 1)
    submit "$variant-first" "$s" "${opts[@]}"
    expect_rows "$s" "$variant-first" $((files * rows))
    for t in 1 2 3 4; do files_of "$s/landing/t$t" "$files" 1 "t$t"; done
    submit "$variant-incremental" "$s" "${opts[@]}"
    expect_rows "$s" "$variant-incremental" "$rows"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out/times.txt" "$out/results.md" "$files" "$rows" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, wall, cpu = line.split()
    runs.setdefault(label, []).append((float(wall), float(cpu)))
med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
rows = [f"Four independent bronze tables, {sys.argv[3]} JSON files of {sys.argv[4]} rows each (first run), then one new file each (incremental run).",
        "", "| run | wall s (median) | wall s per round | CPU s (median) | cores busy (CPU / wall) | n |",
        "|---|---:|---|---:|---:|---:|"]
for k in sorted(med):
    rows.append(f"| {k} | {med[k][0]:.1f} | {', '.join(f'{w:.1f}' for w, _ in runs[k])} | {med[k][1]:.1f}"
                f" | {med[k][1] / med[k][0]:.2f} of {__import__('os').cpu_count()} | {len(runs[k])} |")
rows.append("")
for run in ("first", "incremental"):
    c, s = med.get("concurrent-" + run), med.get("sequential-" + run)
    if c and s:
        rows.append(f"- {run} run, concurrent / sequential: wall {c[0] / s[0]:.2f}x, CPU {c[1] / s[1]:.2f}x")
text = "\n".join(rows)
print(text)
open(sys.argv[2], "w").write(text + "\n")
EOF
