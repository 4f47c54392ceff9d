#!/usr/bin/env bash
# bench-diff for people: --changed-only and --sort effect (per-family lines first, changed rows
# by effect size), while the default table stays the full one.
# Usage: test_diff_people.sh BENCH_DIFF TEST_DATA_DIR
set -euo pipefail
bd=$1 data=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$bd" "$data/report/baseline.json" "$data/report/quick.json" --changed-only --color never >"$out" || rc=$?
[[ $rc == 1 ]] || fail "exit $rc, expected 1 (regressions)"
head -n 4 "$out" | grep -q "^Per family" || fail "family summary not first: $(head -n 4 "$out")"
grep -q "^  quant_act .* regression" "$out" || fail "no quant_act family line"
grep -q "no change" <(sed -n '/^Changed rows/,$p' "$out" | grep "real_time  " | grep -v "regression\|improvement\|inconclusive") &&
  fail "unchanged rows listed with --changed-only"
grep -q "row(s) without change hidden" "$out" || fail "hidden-row count missing"
grep -q "^FAIL: " "$out" || fail "verdict line"
# Rows by effect: the first table row is a regression, and |change| falls within a verdict group.
first=$(sed -n '/^Benchmark/{n;n;p;q}' "$out")
[[ "$first" == *regression* ]] || fail "first row is not a regression: $first"
"$bd" "$data/report/baseline.json" "$data/report/quick.json" --sort effect --color never >"$out" || true
grep -q "^All rows, largest effect first" "$out" || fail "--sort effect heading"
grep -q " no change$" "$out" || fail "--sort effect alone keeps the unchanged rows"
"$bd" "$data/report/baseline.json" "$data/report/quick.json" --color never >"$out" || true
grep -q "^Per family" "$out" && fail "the default table changed"
"$bd" "$data/report/baseline.json" "$data/report/quick.json" --sort size >/dev/null 2>&1 && fail "--sort size accepted"
echo "ok: bench-diff people view"
