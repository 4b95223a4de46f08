#!/usr/bin/env bash
# Regenerates the README's pictures from the demo's first review round:
#   docs/images/department-page.png  a department's HTML page (headless Chromium)
#   docs/images/review-sheet.png     the same department's review sheet (LibreOffice renders the
#                                    XLSX as HTML, Chromium photographs it)
# and docs/images/SOURCES.sha256, the hashes of the two files they were taken from.
# `tests/readme.rs` recomputes those hashes from the current build and fails when a picture no
# longer shows what the tool writes; run this script then and commit the new pictures.
#
# Needs Debian's chromium and libreoffice-calc-nogui (and fonts-wqy-microhei for the Chinese):
#   apt-get install -y chromium libreoffice-calc-nogui fonts-wqy-microhei imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/pictures
dept=青禾市公安局
rm -rf "$out" && mkdir -p "$out"
cargo build --release --quiet
target/release/catalog-audit audit examples/qinghe/2017-06-30.json examples/qinghe/2017-12-31.json \
  --adjustments examples/qinghe/adjustments-2017H2.json --format html --format xlsx \
  --split-by department --out "$out/round-1" --reply-by 2018-01-31 --contact "市审改办 王审核" \
  --fail-on never --quiet

shoot() { # URL PNG WIDTH HEIGHT
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --hide-scrollbars \
    --user-data-dir="$out/chromium" --window-size="$3,$4" --screenshot="$PWD/$2" "$1" 2>/dev/null
}

shoot "file://$PWD/$out/round-1/$dept.html" "$out/department-page.png" 1200 1400
(cd "$out" && soffice --headless --convert-to html "round-1/$dept.xlsx" >/dev/null 2>&1)
shoot "file://$PWD/$out/$dept.html" "$out/sheet-full.png" 1400 720
# Drop LibreOffice's own title block above the first sheet.
convert "$out/sheet-full.png" -crop 1400x600+0+112 +repage "$out/review-sheet.png"

cp "$out/department-page.png" "$out/review-sheet.png" docs/images/
(cd "$out/round-1" && sha256sum "$dept.html" "$dept.xlsx") > docs/images/SOURCES.sha256
echo "docs/images: department-page.png, review-sheet.png (from $(cat docs/images/SOURCES.sha256 | wc -l) sources)"
