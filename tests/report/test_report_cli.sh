#!/usr/bin/env bash
# bench-report's command line: outputs, exports, exit codes and error messages.
# Usage: test_report_cli.sh BENCH_REPORT DATA_DIR
set -euo pipefail
br=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect STATUS ARGS...
  local want=$1 rc=0
  shift
  "$br" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [[ $rc == "$want" ]] || { cat "$tmp/out" "$tmp/err"; fail "bench-report $*: exit $rc, expected $want"; }
}
expect 0 "$data/quick.json" -o "$tmp/r.html"
grep -q 'data-chart="roofline"' "$tmp/r.html" || fail "no roofline in the page"
ls "$tmp" | grep -q '\.tmp\.' && fail "temporary file left behind"
expect 0 "$data/quick.json" --history="$data/history" --diff "$data/baseline.json"
grep -q 'data-chart="diff"' "$tmp/out" || fail "HTML on stdout without -o"
expect 0 "$data/quick.json" --export github-action-benchmark -o "$tmp/gab.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, list) and d and all({'name','unit','value'} <= e.keys() for e in d)" "$tmp/gab.json" ||
  fail "github-action-benchmark export shape"
expect 0 "$data/quick.json" --export=github-action-benchmark-time
grep -q '"unit": "ns"' "$tmp/out" || fail "time export on stdout"
expect 0 "$data/quick.json" "$data/peer-merged.json" --export bencher -o "$tmp/bmf.json"
grep -q '"peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2"' "$tmp/bmf.json" || fail "peer rows in the Bencher export"
# Usage errors: exit 2, input errors: exit 3 (docs/cli.md), the cause named.
expect 2
expect 2 "$data/quick.json" --bogus
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option not named"
expect 2 "$data/quick.json" --export csv
grep -q "expected github-action-benchmark" "$tmp/err" || fail "bad export format message"
expect 3 "$tmp/missing.json"
grep -q "$tmp/missing.json: no such file" "$tmp/err" || fail "missing file not named"
printf '{"benchmarks": [{"name": "a", "real_time": "x"' >"$tmp/broken.json"
expect 3 "$tmp/broken.json"
grep -q "broken.json: invalid JSON at byte" "$tmp/err" || fail "parse error without offset"
printf '{"benchmarks": [{"name": "a", "real_time": "x", "cpu_time": 1}]}' >"$tmp/bad.json"
expect 3 "$tmp/bad.json"
grep -q 'benchmarks\[0\].real_time: expected a number' "$tmp/err" || fail "bad field not named"
mkdir "$tmp/empty"
expect 3 "$data/quick.json" --history "$tmp/empty"
grep -q "no \*.json result file" "$tmp/err" || fail "empty history not named"
expect 3 "$data/quick.json" -o "$tmp/no/such/dir/r.html"
grep -q "cannot write file" "$tmp/err" || fail "unwritable output not named"
expect 0 --help
grep -q "^usage: bench-report" "$tmp/out" || fail "help text"
grep -q -- "--history-depth" "$tmp/out" || fail "help text lacks the options"
echo "ok: bench-report command line"
