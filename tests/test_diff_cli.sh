#!/usr/bin/env bash
# bench-diff's command line: exit codes 0 / 1 / 2 / 3 / 4 (docs/cli.md), the artifact files, the
# flagged filter.
# Usage: test_diff_cli.sh BENCH_DIFF DATA_DIR
set -euo pipefail
bd=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect STATUS ARGS...: run bench-diff, check the exit status
  local want=$1 rc=0
  shift
  "$bd" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [[ $rc == "$want" ]] || { cat "$tmp/out" "$tmp/err"; fail "bench-diff $*: exit $rc, expected $want"; }
}
expect 0 "$data/baseline.json" "$data/noise.json"
grep -q "^PASS: 3 no change" "$tmp/out" || fail "no PASS line"
grep -q $'\033' "$tmp/out" && fail "colour written to a non-terminal"
expect 1 "$data/baseline.json" "$data/regression.json" --markdown "$tmp/d.md" --json "$tmp/d.json" \
  --svg "$tmp/d.svg" --junit "$tmp/d.xml" --metrics "$tmp/d.txt" --flagged-filter "$tmp/flagged"
for f in d.md d.json d.svg d.xml d.txt; do [[ -s "$tmp/$f" ]] || fail "$f not written"; done
[[ "$(cat "$tmp/flagged")" == '^(gemv/tq2_0/2560x2560)$' ]] || fail "flagged filter: $(cat "$tmp/flagged")"
expect 0 "$data/baseline.json" "$data/noise.json" --flagged-filter "$tmp/flagged"
[[ ! -s "$tmp/flagged" ]] || fail "flagged filter not emptied on a clean diff"
expect 1 "$data/baseline.json" "$data/counters.json" --metric tokens/s --format json
grep -q '"result": "fail"' "$tmp/out" || fail "JSON on stdout"
expect 0 "$data/baseline.json" "$data/counters.json" --metric tokens/s --direction lower
expect 0 "$data/baseline.json" "$data/regression.json" --threshold 25
expect 1 "$data/baseline.json" "$data/changed_rows.json"
# A removed row fails too, unless allowed.
expect 1 "$data/baseline.json" "$data/changed_rows.json" --allow-errors
expect 0 "$data/baseline.json" "$data/changed_rows.json" --allow-errors --allow-removed
expect 1 "$data/history" "$data/regression.json" --history 2
expect 0 "$data/baseline.json" "$data/regression.json" --color always --filter '^dequant'
# Usage errors: exit 2 with the cause named; input errors: exit 3 (docs/cli.md).
expect 2 "$data/baseline.json"
expect 2 "$data/baseline.json" "$data/noise.json" --alpha 2
expect 2 "$data/baseline.json" "$data/noise.json" --alpha=2
expect 2 "$data/baseline.json" "$data/noise.json" --bogus
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option not named"
# A metric in no benchmark of either file is an input error, not "PASS: N skipped".
expect 3 "$data/baseline.json" "$data/noise.json" --metric nosuch --direction higher
grep -q 'metric "nosuch" is in no benchmark' "$tmp/err" || fail "unknown metric not named"
grep -q "known: cpu_time, real_time, tokens/s" "$tmp/err" || fail "known metrics not listed"
# A counter that exists but whose direction cannot be inferred needs --direction.
printf '{"benchmarks": [{"name": "a", "run_name": "a", "run_type": "iteration", "real_time": 1, "cpu_time": 1, "time_unit": "ns", "iterations": 1, "nmse": 0.1}]}' >"$tmp/nmse.json"
expect 3 "$tmp/nmse.json" "$tmp/nmse.json" --metric nmse
grep -q "cannot tell whether higher or lower is better" "$tmp/err" || fail "unknown direction message"
# One repetition per side cannot confirm a 2x slowdown: INCONCLUSIVE (exit 0), or exit 4 when
# asked to fail on it; never PASS.
expect 0 "$data/one_rep_base.json" "$data/one_rep_slow.json"
grep -q "^INCONCLUSIVE: " "$tmp/out" || fail "no INCONCLUSIVE verdict: $(tail -1 "$tmp/out")"
expect 4 "$data/one_rep_base.json" "$data/one_rep_slow.json" --fail-on-inconclusive --format json
grep -q '"result": "inconclusive"' "$tmp/out" || fail "JSON result not inconclusive"
expect 0 "$data/baseline.json" "$data/noise.json" --fail-on-inconclusive
expect 3 "$data/baseline.json" "$tmp/missing.json"
grep -q "$tmp/missing.json: no such file" "$tmp/err" || fail "missing file not named"
printf '{"benchmarks": [{"name": "a", "real_time": 1' >"$tmp/broken.json"
expect 3 "$data/baseline.json" "$tmp/broken.json"
grep -q "broken.json: invalid JSON at byte" "$tmp/err" || fail "parse error without offset"
expect 0 --help
echo "ok: bench-diff command line"
