#!/usr/bin/env bash
# Whole-process benchmark of `catalog-audit audit` against a floor, on generated catalog pairs.
#
#   bash benches/run.sh                       # 10k, 100k and 1M items, both kinds of pair
#   SIZES="10000 100000" bash benches/run.sh  # fewer sizes
#   VARIETY=0 bash benches/run.sh             # only pairs built from the demo's items
#   VARIETY=1 bash benches/run.sh             # only variety pairs (default VARIETY=both)
#   SKIP_PYTHON=1 bash benches/run.sh         # without csv-diff / datacompy
#
# Two kinds of pair per size, generated once (files are reused) with `examples/generate.rs`:
#   - repeated values: target/bench-data/<size>/, `generate --csv`. Every item is one of the
#     demo's few dozen clean items, so nearly every property value repeats, which flatters the
#     loader's per-value memo and the rule engine's per-combination memo;
#   - variety: target/bench-data/<size>-variety/, `generate --variety` (no CSV). Items from about
#     10,000 catalog entries, with each region's own materials, conditions, legal bases, limits,
#     process, counters and phones. `values.json` in each directory has the measured share of
#     distinct values per property; the results have a table of them.
# For each pair it measures, each as one process under `/usr/bin/time -v` (wall time, peak RSS)
# with a time limit:
#   - floor: examples/floor.rs (parse both files into typed items, match by code), with serde_json
#     and sonic-rs, with the system allocator and mimalloc (the fastest is "the floor"), each
#     variant FLOOR_RUNS times (default 2). On variety pairs only the variants in VARIETY_FLOORS
#     (default "serde-mimalloc sonic-mimalloc", the two mimalloc variants, which were the fastest
#     at every size on the repeated-value pairs; name all four to run them all, or one to save
#     time), and the floor there is the fastest of those;
#   - audit: `catalog-audit audit OLD NEW --adjustments LOG --format json --out REPORT --timings`
#     (diff, every built-in rule, the JSON report; AUDIT_RUNS times, default 3; the stage timings
#     land in <pair directory>/audit.log);
#   - csv-diff (`csv-diff old.csv new.csv --key 事项编码`) and datacompy (benches/datacompy_diff.py,
#     joined on 事项编码) on the repeated-value pair as CSV, from PyPI in a venv under target/.
# After the runs, the report's added / changed / cancelled / recoded counts are compared with the
# pair's planted.json (column "= planted").
# Results: target/bench-results.md (Markdown tables) and target/bench-results.tsv (one line a run).
# Every table cell is the fastest run of its command; MB are 10^6 bytes, for input and memory alike.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
SEED=${SEED:-7}
case ${VARIETY:-both} in
  0) MODES="demo" ;;
  1) MODES="variety" ;;
  both) MODES="demo variety" ;;
  *) echo "VARIETY is 0, 1 or both" >&2; exit 2 ;;
esac
FLOORS="serde-system sonic-system serde-mimalloc sonic-mimalloc"
VARIETY_FLOORS=${VARIETY_FLOORS:-"serde-mimalloc sonic-mimalloc"}
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

pairdir() { # SIZE MODE -> the pair's directory
  if [[ $2 == variety ]]; then echo "$DATA/$(label "$1")-variety"; else echo "$DATA/$(label "$1")"; fi
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

# measure NAME SIZE MODE LIMIT CMD... : runs CMD under /usr/bin/time -v, appends a TSV line
# (name, size, mode, status, wall seconds, peak RSS MB) and prints it.
measure() {
  local name=$1 size=$2 mode=$3 limit=$4
  shift 4
  local t log status=ok
  t=$(mktemp)
  log="$(pairdir "$size" "$mode")/$name.log"
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
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$mode" "$status" "$wall" "$rss" | tee -a "$TSV"
}

# floor VARIANT SIZE MODE DIR : measures one floor variant (parser-allocator) on a pair.
floor() {
  local variant=$1 size=$2 mode=$3 dir=$4 bin
  case $variant in
    serde-system) bin=floor-system ;;
    sonic-system) bin=floor-sonic-system ;;
    serde-mimalloc | sonic-mimalloc) bin=floor-sonic-mimalloc ;;
    *) echo "unknown floor variant $variant" >&2; exit 2 ;;
  esac
  measure "floor-$variant" "$size" "$mode" "$LIMIT" "$BIN/$bin" "$dir/old.json" "$dir/new.json" \
    --parser "${variant%-*}"
}

: >"$TSV"
for n in $SIZES; do
  l=$(label "$n")
  for mode in $MODES; do
    dir=$(pairdir "$n" "$mode")
    if [[ $mode == variety ]]; then
      if [[ ! -s $dir/planted.json || ! -s $dir/values.json ]]; then
        echo "== generate $l (variety)"
        "$BIN/generate" --items "$n" --seed "$SEED" --out "$dir" --variety
      fi
      floors=$VARIETY_FLOORS
    else
      if [[ ! -s $dir/planted.json || ! -s $dir/new.csv || ! -s $dir/values.json ]]; then
        echo "== generate $l"
        "$BIN/generate" --items "$n" --seed "$SEED" --out "$dir" --csv
      fi
      floors=$FLOORS
    fi
    echo "== $l $mode: $(du -ch "$dir/old.json" "$dir/new.json" | tail -1 | cut -f1) of JSON"
    sync
    # Warm the page cache, so every process reads from memory.
    cat "$dir"/old.json "$dir"/new.json "$dir"/adjustments.json >/dev/null
    # Each floor variant FLOOR_RUNS times (the tables keep the fastest run of each).
    for ((run = 0; run < ${FLOOR_RUNS:-2}; run++)); do
      for variant in $floors; do
        floor "$variant" "$n" "$mode" "$dir"
      done
    done
    for ((run = 0; run < ${AUDIT_RUNS:-3}; run++)); do
      measure audit "$n" "$mode" "$LIMIT" "$BIN/catalog-audit" audit "$dir/old.json" "$dir/new.json" \
        --adjustments "$dir/adjustments.json" --format json --out "$dir/report.json" --quiet --timings
      cp "$dir/audit.log" "$dir/audit-$run.log"
    done
    if [[ $mode == demo && -z "${SKIP_PYTHON:-}" ]]; then
      cat "$dir"/old.csv "$dir"/new.csv >/dev/null
      measure csv-diff "$n" "$mode" "$PY_LIMIT" bash -c "ulimit -v $PY_MEM_KB; exec target/bench-venv/bin/csv-diff '$dir/old.csv' '$dir/new.csv' --key 事项编码"
      measure datacompy "$n" "$mode" "$PY_LIMIT" bash -c "ulimit -v $PY_MEM_KB; exec target/bench-venv/bin/python benches/datacompy_diff.py '$dir/old.csv' '$dir/new.csv'"
    fi
  done
done

# The tables.
python3 - "$TSV" "$DATA" "$RESULTS" <<'EOF'
import csv, json, os, re, sys
tsv, data, out = sys.argv[1:]
runs = {}
for name, size, mode, status, wall, rss in csv.reader(open(tsv), delimiter="\t"):
    r = (status, float(wall or 0), int(rss or 0))
    prev = runs.setdefault((int(size), mode), {}).get(name)
    # The fastest successful run of a name counts.
    if prev is None or (r[0] == "ok" and (prev[0] != "ok" or r[1] < prev[1])):
        runs[(int(size), mode)][name] = r
def label(n):
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
def pairdir(n, mode):
    return os.path.join(data, label(n) + ("-variety" if mode == "variety" else ""))
def cell(r):
    if r is None:
        return "–"
    status, wall, rss = r
    text = f"{wall:.2f} s / {rss:,} MB"
    return text if status == "ok" else f"{status} after {wall:.0f} s / {rss:,} MB"
def planted(d):
    """Whether the report's classification equals planted.json (read from the report's head)."""
    try:
        with open(f"{d}/report.json", "rb") as f:
            head = f.read(1 << 16).decode("utf-8", "ignore")
        p = json.load(open(f"{d}/planted.json"))
    except OSError:
        return "–"
    head = head[head.find('"summary"'):]
    got = {}
    for k in ("added", "changed", "cancelled", "recoded"):
        m = re.search(f'"{k}":\\s*(\\d+)', head)
        got[k] = int(m.group(1)) if m else None
    want = {"added": p["added"], "changed": p["changed"],
            "cancelled": p["cancelled_removed"] + p["cancelled_status"], "recoded": p["recoded"]}
    wrong = [f"{k} {got[k]} ≠ {want[k]}" for k in want if got[k] != want[k]]
    return "no: " + ", ".join(wrong) if wrong else "yes"
floors = ["floor-serde-system", "floor-sonic-system", "floor-serde-mimalloc", "floor-sonic-mimalloc"]
def best_floor(r):
    ok = [(r[f][1], f) for f in floors if f in r and r[f][0] == "ok"]
    return (r[min(ok)[1]], min(ok)[1][6:]) if ok else (None, None)
def input_mb(d):
    return (os.path.getsize(f"{d}/old.json") + os.path.getsize(f"{d}/new.json")) / 1e6
def check(r, d):
    audit = r.get("audit")
    return planted(d) if audit and audit[0] == "ok" else "–"
def ratios(r, best, mb):
    audit = r.get("audit")
    time = f"{audit[1] / best[1]:.1f}×" if best and audit and audit[0] == "ok" else "–"
    peak = f"{audit[2] / mb:.2f}×" if audit else "–"
    return audit, time, peak
sizes = sorted({n for n, _ in runs})
text = []
demo = [n for n in sizes if (n, "demo") in runs]
if demo:
    text += ["## Repeated values (pairs built from the demo's items)", "",
             "| items (old) | input MB (old+new JSON) | floor s / peak MB (fastest variant) | audit s / peak MB | audit ÷ floor (time) | audit peak ÷ input | = planted | csv-diff s / MB (CSV) | datacompy s / MB (CSV) |",
             "|---:|---:|---|---|---:|---:|---|---|---|"]
    detail = ["| items | " + " | ".join(floors) + " |", "|---:|" + "---|" * len(floors)]
    for n in demo:
        r, d = runs[(n, "demo")], pairdir(n, "demo")
        mb = input_mb(d)
        best, which = best_floor(r)
        audit, time, peak = ratios(r, best, mb)
        text.append(f"| {n:,} | {mb:,.0f} | {cell(best)}{' (' + which + ')' if which else ''} | {cell(audit)} | {time} | {peak} | {check(r, d)} | {cell(r.get('csv-diff'))} | {cell(r.get('datacompy'))} |")
        detail.append(f"| {n:,} | " + " | ".join(cell(r.get(f)) for f in floors) + " |")
    text += ["", "Floor variants (parser-allocator):", ""] + detail + [""]
variety = [n for n in sizes if (n, "variety") in runs]
if variety:
    text += ["## Variety (`generate --variety`: thousands of catalog entries, per-region bodies)", "",
             "| items (old) | input MB (old+new JSON) | floor s / peak MB (fastest of VARIETY_FLOORS) | audit s / peak MB | audit ÷ floor (time) | audit peak ÷ input | audit ÷ repeated-value audit (time / peak) | = planted |",
             "|---:|---:|---|---|---:|---:|---|---|"]
    for n in variety:
        r, d = runs[(n, "variety")], pairdir(n, "variety")
        mb = input_mb(d)
        best, which = best_floor(r)
        audit, time, peak = ratios(r, best, mb)
        base = runs.get((n, "demo"), {}).get("audit")
        vs = (f"{audit[1] / base[1]:.1f}× / {audit[2] / base[2]:.1f}×"
              if audit and base and audit[0] == base[0] == "ok" else "–")
        text.append(f"| {n:,} | {mb:,.0f} | {cell(best)}{' (' + which + ')' if which else ''} | {cell(audit)} | {time} | {peak} | {vs} | {check(r, d)} |")
    text += [""]
# How much values repeat: distinct ÷ items carrying the property, old snapshot (values.json).
props = ["name", "address", "consult_phone", "onsite_reason", "legal_basis", "process", "materials", "result", "faq", "受理条件"]
rows = []
for n in sizes:
    for mode in ("demo", "variety"):
        if (n, mode) not in runs:
            continue
        try:
            v = json.load(open(f"{pairdir(n, mode)}/values.json"))
        except OSError:
            continue
        got = {p["property"]: p for p in v["properties"]}
        cells = [f"{100 * got[p]['ratio']:.1f} %" if p in got and got[p]["items"] else "–" for p in props]
        rows.append(f"| {n:,} | {'variety' if mode == 'variety' else 'repeated values'} | " + " | ".join(cells) + " |")
if rows:
    text += ["Distinct values per property (distinct ÷ items carrying it, old snapshot; from values.json):", "",
             "| items | pair | " + " | ".join(props) + " |", "|---:|---|" + "---:|" * len(props)] + rows + [""]
text = "\n".join(text)
open(out, "w").write(text)
print(text)
EOF
echo "wrote $RESULTS"
