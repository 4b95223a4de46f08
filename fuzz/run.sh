#!/usr/bin/env bash
# Replays every fuzz target's corpus, then fuzzes each target for SECONDS (default 10) on the
# stable toolchain without a sanitizer (cargo fuzz -s none; libFuzzer still catches panics,
# aborts, hangs and exhausted memory). New inputs the fuzzer finds go into the corpus directory;
# a crash leaves its input under fuzz/artifacts/<target>/ and fails the run.
#   bash fuzz/run.sh                 # every target, 10 s each
#   SECONDS_EACH=300 bash fuzz/run.sh table_workbook
set -euo pipefail
cd "$(dirname "$0")/.."
each=${SECONDS_EACH:-10}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
cargo fuzz build -s none --fuzz-dir fuzz
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t: replay $(ls "fuzz/corpus/$t" | wc -l) corpus inputs, then fuzz ${each} s"
  # -rss_limit_mb: an input that makes a reader allocate beyond this is a finding;
  # -timeout: one input taking longer is a hang.
  cargo fuzz run -s none --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$each" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 |
    grep -E "stat::number_of_executed_units|Done|ERROR|panicked|SUMMARY" || true
  if [[ -n "$(ls -A "fuzz/artifacts/$t" 2>/dev/null)" ]]; then
    echo "fuzz target $t found a failing input: fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
