#!/usr/bin/env bash
# bench-report's page in a real browser: headless Chromium loads the report made from the quick
# suite run, a peer comparison, a 5-run history and a diff; the DOM after load must hold every
# chart with its series, the page must make no network request (Chromium's net log, checked
# against a page that does fetch), a screenshot must not be blank, and every chart must also
# render with rsvg-convert. Exit 77 (skip) only when the browser is not installed.
# Usage: test_report_browser.sh BENCH_REPORT DATA_DIR
set -euo pipefail
br=$1 data=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
browser=${BITNET_CHROMIUM:-}
for b in chromium chromium-browser google-chrome; do
  [[ -n "$browser" ]] && break
  browser=$(command -v "$b" || true)
done
if [[ -z "$browser" ]]; then
  echo "SKIP: no Chromium found (Debian: apt-get install chromium; ci/install-deps.sh installs it)"
  exit 77
fi
py=$(command -v python3)
command -v rsvg-convert >/dev/null || { echo "FAIL: rsvg-convert missing (Debian: librsvg2-bin)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$br" "$data/quick.json" "$data/peer-merged.json" --history "$data/history" \
  --diff "$data/baseline.json" -o "$tmp/report.html"

# Headless as root needs --no-sandbox; the rest keeps the browser's own background traffic
# (updates, sync) out of the net log and the profile out of $HOME.
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-default-apps --disable-domain-reliability --no-pings --mute-audio)
chrome() {  # chrome NAME ARGS...: one browser run with its own profile and net log
  local name=$1
  shift
  timeout 120 "$browser" "${flags[@]}" "--user-data-dir=$tmp/profile-$name" \
    "--log-net-log=$tmp/net-$name.json" "$@" 2>>"$tmp/chromium.log" ||
    { tail -n 20 "$tmp/chromium.log" >&2; fail "chromium failed ($name)"; }
}

url="file://$tmp/report.html"
chrome dom --dump-dom "$url" >"$tmp/dom.html"
[[ -s "$tmp/dom.html" ]] || fail "empty DOM dump"
"$py" "$here/check_report_page.py" dom "$tmp/dom.html" "$here/expected_charts.json"
"$py" "$here/check_report_page.py" netlog "$tmp/net-dom.json" "$url"

# The screenshot (half scale keeps the PNG small enough to check quickly).
chrome shot --force-device-scale-factor=0.5 --window-size=1280,7000 "--screenshot=$tmp/shot.png" "$url" >/dev/null
"$py" "$here/check_report_page.py" ink "$tmp/shot.png" 0.03
"$py" "$here/check_report_page.py" netlog "$tmp/net-shot.json" "$url"

# The network check must be able to fail: a page fetching from 127.0.0.1 (nothing listens on
# the discard port; the request is still logged) is caught.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>\n' >"$tmp/fetch.html"
chrome control --dump-dom "file://$tmp/fetch.html" >/dev/null
if "$py" "$here/check_report_page.py" netlog "$tmp/net-control.json" "file://$tmp/fetch.html" >"$tmp/control.out"; then
  fail "the network check missed a page that fetches (control)"
fi
grep -q "127.0.0.1:9/x.png" "$tmp/control.out" || fail "control: $(cat "$tmp/control.out")"

# Every chart also renders outside the browser.
mkdir "$tmp/svg"
n=$("$py" "$here/check_report_page.py" svgs "$tmp/dom.html" "$tmp/svg")
[[ "$n" -ge 8 ]] || fail "only $n SVG charts in the page"
for f in "$tmp"/svg/*.svg; do
  rsvg-convert "$f" -o "${f%.svg}.png" || fail "rsvg-convert cannot render $(basename "$f")"
  "$py" "$here/check_report_page.py" ink "${f%.svg}.png" 0.01 >/dev/null ||
    fail "$(basename "$f") renders blank"
done
echo "ok: $n charts render with rsvg-convert"
echo "ok: bench-report page in $("$browser" --version 2>/dev/null | head -n 1)"
