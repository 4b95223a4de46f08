#!/usr/bin/env bash
# Whole-process benchmark of `catalog-audit audit` against a floor, on generated catalog pairs.
#
#   bash benches/run.sh                       # 10k, 100k and 1M items
#   SIZES="10000 100000" bash benches/run.sh  # fewer sizes
#   SKIP_PYTHON=1 bash benches/run.sh         # without csv-diff / datacompy
#
# For each size it generates (once; files are reused) a pair with `examples/generate.rs` under
# target/bench-data/<size>/ and measures, each as one process under `/usr/bin/time -v` (wall time,
# peak RSS) with a time limit:
#   - floor: examples/floor.rs (parse both files into typed items, match by code), with serde_json
#     and sonic-rs, with the system allocator and mimalloc (the fastest is "the floor");
#   - audit: `catalog-audit audit OLD NEW --adjustments LOG --format json --out REPORT --timings`
#     (diff, every built-in rule, the JSON report; AUDIT_RUNS times, default 3; the stage timings
#     land in target/bench-data/<size>/audit.log);
#   - csv-diff (`csv-diff old.csv new.csv --key 事项编码`) and datacompy (benches/datacompy_diff.py,
#     joined on 事项编码) on the same pair as CSV, from PyPI in a venv under target/.
# Results: target/bench-results.md (Markdown tables) and target/bench-results.tsv (one line a run).
# Every table cell is the fastest run of its command; MB are 10^6 bytes, for input and memory alike.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
SEED=${SEED:-7}
DATA=${DATA:-target/bench-data}
LIMIT=${LIMIT:-3600}            # seconds per measured process
PY_LIMIT=${PY_LIMIT:-1800}      # seconds per csv-diff / datacompy run
PY_MEM_KB=${PY_MEM_KB:-20971520} # address-space cap for the Python tools (20 GiB of the 24)
BIN=target/bench-bin
RESULTS=target/bench-results.md
TSV=target/bench-results.tsv
mkdir -p "$BIN" "$DATA"

label() { # 10000 -> 10k, 1000000 -> 1M
  local n=$1
  if ((n % 1000000 == 0)); then echo "$((n / 1000000))M"
  elif ((n % 1000 == 0)); then echo "$((n / 1000))k"
  else echo "$n"; fi
}

echo "== build (release)"
cargo build --release --bin catalog-audit --example generate --example floor
cp target/release/catalog-audit target/release/examples/generate "$BIN/"
cp target/release/examples/floor "$BIN/floor-system"
cargo build --release --example floor --features floor-sonic
cp target/release/examples/floor "$BIN/floor-sonic-system"
cargo build --release --example floor --features floor-sonic,floor-mimalloc
cp target/release/examples/floor "$BIN/floor-sonic-mimalloc"

if [[ -z "${SKIP_PYTHON:-}" ]]; then
  echo "== python tools (venv: target/bench-venv)"
  [[ -x target/bench-venv/bin/python ]] || python3 -m venv target/bench-venv
  target/bench-venv/bin/python -c "import csv_diff, datacompy" 2>/dev/null ||
    target/bench-venv/bin/pip install -q csv-diff datacompy
  target/bench-venv/bin/pip list 2>/dev/null | grep -iE '^(csv-diff|datacompy|pandas|numpy|polars) ' || true
fi

# measure NAME SIZE LIMIT CMD... : runs CMD under /usr/bin/time -v, appends a TSV line
# (name, size, status, wall seconds, peak RSS MB) and prints it.
measure() {
  local name=$1 size=$2 limit=$3
  shift 3
  local t log status=ok
  t=$(mktemp)
  log="$DATA/$(label "$size")/$name.log"
  if ! /usr/bin/time -v -o "$t" timeout "$limit" "$@" >"$log" 2>&1; then
    if grep -q "Command exited with non-zero status 124" "$t"; then status=timeout
    elif grep -qE "Command terminated by signal (9|6)|MemoryError|Cannot allocate" "$t" "$log"; then status=oom
    elif [[ $name == audit ]] && grep -q "Command exited with non-zero status 1$" "$t"; then status=ok # findings
    else status=failed; fi
  fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$t")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2*1024/1e6}' "$t")
  rm -f "$t"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$status" "$wall" "$rss" | tee -a "$TSV"
}

: >"$TSV"
for n in $SIZES; do
  l=$(label "$n")
  dir=$DATA/$l
  if [[ ! -s $dir/planted.json || ! -s $dir/new.csv ]]; then
    echo "== generate $l"
    "$BIN/generate" --items "$n" --seed "$SEED" --out "$dir" --csv
  fi
  echo "== $l: $(du -ch "$dir/old.json" "$dir/new.json" | tail -1 | cut -f1) of JSON"
  sync
  # Warm the page cache, so every process reads from memory.
  cat "$dir"/old.json "$dir"/new.json "$dir"/adjustments.json >/dev/null
  # Each floor variant FLOOR_RUNS times (the tables keep the fastest run of each).
  for ((run = 0; run < ${FLOOR_RUNS:-2}; run++)); do
    measure floor-serde-system "$n" "$LIMIT" "$BIN/floor-system" "$dir/old.json" "$dir/new.json" --parser serde
    measure floor-sonic-system "$n" "$LIMIT" "$BIN/floor-sonic-system" "$dir/old.json" "$dir/new.json" --parser sonic
    measure floor-serde-mimalloc "$n" "$LIMIT" "$BIN/floor-sonic-mimalloc" "$dir/old.json" "$dir/new.json" --parser serde
    measure floor-sonic-mimalloc "$n" "$LIMIT" "$BIN/floor-sonic-mimalloc" "$dir/old.json" "$dir/new.json" --parser sonic
  done
  for ((run = 0; run < ${AUDIT_RUNS:-3}; run++)); do
    measure audit "$n" "$LIMIT" "$BIN/catalog-audit" audit "$dir/old.json" "$dir/new.json" \
      --adjustments "$dir/adjustments.json" --format json --out "$dir/report.json" --quiet --timings
    cp "$dir/audit.log" "$dir/audit-$run.log"
  done
  if [[ -z "${SKIP_PYTHON:-}" ]]; then
    cat "$dir"/old.csv "$dir"/new.csv >/dev/null
    measure csv-diff "$n" "$PY_LIMIT" bash -c "ulimit -v $PY_MEM_KB; exec target/bench-venv/bin/csv-diff '$dir/old.csv' '$dir/new.csv' --key 事项编码"
    measure datacompy "$n" "$PY_LIMIT" bash -c "ulimit -v $PY_MEM_KB; exec target/bench-venv/bin/python benches/datacompy_diff.py '$dir/old.csv' '$dir/new.csv'"
  fi
done

# The tables.
python3 - "$TSV" "$DATA" "$RESULTS" <<'EOF'
import csv, json, os, sys
tsv, data, out = sys.argv[1:]
runs = {}
for name, size, status, wall, rss in csv.reader(open(tsv), delimiter="\t"):
    r = (status, float(wall or 0), int(rss or 0))
    prev = runs.setdefault(int(size), {}).get(name)
    # The fastest successful run of a name counts.
    if prev is None or (r[0] == "ok" and (prev[0] != "ok" or r[1] < prev[1])):
        runs[int(size)][name] = r
def label(n):
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
def cell(r):
    if r is None:
        return "–"
    status, wall, rss = r
    text = f"{wall:.2f} s / {rss:,} MB"
    return text if status == "ok" else f"{status} after {wall:.0f} s / {rss:,} MB"
lines = ["| items (old) | input MB (old+new JSON) | floor s / peak MB (fastest variant) | audit s / peak MB | audit ÷ floor (time) | audit peak ÷ input | csv-diff s / MB (CSV) | datacompy s / MB (CSV) |",
         "|---:|---:|---|---|---:|---:|---|---|"]
floors = ["floor-serde-system", "floor-sonic-system", "floor-serde-mimalloc", "floor-sonic-mimalloc"]
detail = ["| items | " + " | ".join(floors) + " |", "|---:|" + "---|" * len(floors)]
for n in sorted(runs):
    r = runs[n]
    d = os.path.join(data, label(n))
    mb = (os.path.getsize(f"{d}/old.json") + os.path.getsize(f"{d}/new.json")) / 1e6
    ok = [(r[f][1], f) for f in floors if f in r and r[f][0] == "ok"]
    best = r[min(ok)[1]] if ok else None
    audit = r.get("audit")
    ratio = f"{audit[1] / best[1]:.1f}×" if best and audit and audit[0] == "ok" else "–"
    peak = f"{audit[2] / mb:.2f}×" if audit else "–"
    lines.append(f"| {n:,} | {mb:,.0f} | {cell(best)}{' (' + min(ok)[1][6:] + ')' if ok else ''} | {cell(audit)} | {ratio} | {peak} | {cell(r.get('csv-diff'))} | {cell(r.get('datacompy'))} |")
    detail.append(f"| {n:,} | " + " | ".join(cell(r.get(f)) for f in floors) + " |")
text = "\n".join(lines) + "\n\nFloor variants (parser-allocator):\n\n" + "\n".join(detail) + "\n"
open(out, "w").write(text)
print(text)
EOF
echo "wrote $RESULTS"
