#!/usr/bin/env bash
# tools/perf-loop.sh with a stand-in suite: the first run is stored, the second is diffed against
# it (exit 0 on noise), a slower third run is a regression (exit 1), --reset starts over.
# Usage: test_diff_perf_loop.sh REPO_ROOT BUILD_DIR
set -euo pipefail
root=$1 build=$2
data=$root/tests/data/diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PERF_LOOP_DIR=$tmp/loop BITNET_BUILD_DIR=$build FAKE_BENCH_COUNTER=$tmp/count
export BITNET_BENCH_BIN=$data/fake_bitnet_benches.sh
fail() { echo "FAIL: $*" >&2; exit 1; }
loop() {  # loop EXPECTED_STATUS RESULT_FILE [ARGS...]
  local want=$1 rc=0
  export FAKE_BENCH_OUTPUTS=$2
  shift 2
  rm -f "$FAKE_BENCH_COUNTER"
  "$root/tools/perf-loop.sh" --no-build "$@" '^gemv/' >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == "$want" ]] || { cat "$tmp/out"; fail "perf-loop $*: exit $rc, expected $want"; }
}
loop 0 "$data/baseline.json"
grep -q "first run of" "$tmp/out" || fail "first run not announced"
loop 0 "$data/noise.json"
grep -q "PASS" "$tmp/out" || fail "no verdict table after the second run"
grep -qF -- "--benchmark_filter=^gemv/ --benchmark_repetitions=9" "$tmp/count.log" ||
  fail "suite not run with the filter and 9 repetitions"
loop 1 "$data/regression.json"
grep -q "regression" "$tmp/out" || fail "regression not shown"
[[ $(find "$PERF_LOOP_DIR" -path '*/runs/*.json' | wc -l) -ge 1 ]] || fail "runs not kept"
loop 0 "$data/regression.json" --reset
grep -q "first run of" "$tmp/out" || fail "--reset did not forget the previous run"
rc=0
"$root/tools/perf-loop.sh" --no-build >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "FILTER is required" "$tmp/out" || fail "missing FILTER accepted"
echo "ok: perf-loop"
