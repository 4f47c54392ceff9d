#!/usr/bin/env bash
# ci/nightly.sh end to end with a stand-in suite (tests/data/diff/fake_bitnet_benches.sh) that
# replays crafted results: first run -> baseline; clear regression -> confirmed, exit 1, history
# untouched; regression that the re-run does not reproduce -> exit 0, history untouched; errored
# row -> exit 1; noise -> exit 0 and history grows; --dry-run prints the plan and writes nothing.
# Usage: test_diff_nightly.sh REPO_ROOT BUILD_DIR
set -euo pipefail
root=$1 build=$2
data=$root/tests/data/diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BITNET_BASELINE_ROOT=$tmp/baselines BITNET_BUILD_DIR=$build
export BITNET_BENCH_BIN=$data/fake_bitnet_benches.sh FAKE_BENCH_COUNTER=$tmp/count
unset GITHUB_ACTIONS GITLAB_CI JENKINS_URL JENKINS_HOME BITNET_GGUF LLAMA_CPP_DIR BITNET_CPP_DIR
fail() { echo "FAIL: $*" >&2; exit 1; }

# nightly NAME EXPECTED_STATUS OUTPUTS...: one run with the fake suite replaying OUTPUTS.
nightly() {
  local name=$1 want=$2 rc=0
  shift 2
  rm -f "$FAKE_BENCH_COUNTER"
  FAKE_BENCH_OUTPUTS=$(IFS=:; echo "$*") "$root/ci/nightly.sh" --skip-build --out "$tmp/$name" \
    >"$tmp/$name.log" 2>&1 || rc=$?
  [[ $rc == "$want" ]] || { cat "$tmp/$name.log"; fail "$name: exit $rc, expected $want"; }
  echo "ok: $name exits $rc"
}
history_count() { find "$BITNET_BASELINE_ROOT" -name '*.json' | wc -l; }

nightly first 0 "$data/baseline.json"
[[ $(history_count) == 1 ]] || fail "first run was not stored as the baseline"
grep -q "no baseline yet" "$tmp/first.log" || fail "first run does not say it became the baseline"
grep -q '"BITNET_DETERMINISTIC": 1' "$tmp/first/settings.json" || fail "settings.json lacks determinism"
grep -q -- "--benchmark_repetitions=9 --benchmark_enable_random_interleaving=true" "$tmp/count.log" ||
  fail "suite not run with 9 repetitions and random interleaving"
grep -q "BITNET_DETERMINISTIC=1 BITNET_SEED=1" "$tmp/count.log" || fail "deterministic env not set"

nightly regression 1 "$data/regression.json"
[[ $(cat "$FAKE_BENCH_COUNTER") == 2 ]] || fail "flagged benchmark was not re-run exactly once"
grep -qF -- '--benchmark_filter=^(gemv/tq2_0/2560x2560)$' "$tmp/count.log" ||
  fail "re-run did not filter to the flagged benchmark"
for f in bench.json confirm.json diff.md diff.json diff.svg diff.junit.xml diff.metrics.txt \
  confirm-diff.md summary.md settings.json logs/bench.log report.html; do
  [[ -s "$tmp/regression/$f" ]] || fail "artifact $f missing"
done
grep -q "regression confirmed" "$tmp/regression.log" || fail "no confirmation verdict"
grep -q "\*\*regression\*\*" "$tmp/regression/summary.md" || fail "summary lacks the regression row"
[[ $(history_count) == 1 ]] || fail "a failing run changed the baseline history"

nightly flaky 0 "$data/regression.json" "$data/noise.json"
grep -q "not confirmed" "$tmp/flaky.log" || fail "unconfirmed regression not reported as such"
[[ $(history_count) == 1 ]] || fail "a run with flagged (unconfirmed) regressions became a baseline"

nightly errored 1 "$data/changed_rows.json"
grep -q "1 errored benchmark" "$tmp/errored.log" || fail "errored benchmark not named in the verdict"

nightly noise 0 "$data/noise.json"
[[ $(history_count) == 2 ]] || fail "clean run was not added to the history"
grep -q "ci/compare.sh" "$tmp/noise.log" && fail "peer comparison ran without a configured peer"

# A configured peer that is not there: the comparison fails with a warning, the run still passes.
LLAMA_CPP_DIR=$tmp/no-peer BITNET_COMPARE_MODEL=$root/tests/data/tiny-bitnet-A-TQ2_0.gguf \
  nightly peer 0 "$data/noise.json"
grep -q "warning: peer comparison" "$tmp/peer.log" || { cat "$tmp/peer.log"; fail "no peer warning"; }
grep -q "warning: crossval could not run (exit 3" "$tmp/peer.log" ||
  { cat "$tmp/peer.log"; fail "no crossval warning for a missing peer"; }

# Publishing on GitHub Actions: the Markdown lands in the job summary.
export GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$tmp/step_summary.md GITHUB_OUTPUT=$tmp/gh_output
nightly github 0 "$data/noise.json"
grep -q "Nightly benchmarks: PASS" "$GITHUB_STEP_SUMMARY" || fail "no GitHub job summary"
grep -q "^status=0" "$GITHUB_OUTPUT" || fail "no GitHub step output"
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_OUTPUT

# Dry run on a tiny filter: prints every action, runs and writes nothing.
rm -f "$FAKE_BENCH_COUNTER"
before=$(find "$tmp/baselines" | sort | md5sum)
BITNET_FILTER='^quant_act/' "$root/ci/nightly.sh" --dry-run --out "$tmp/dry" >"$tmp/dry.log" 2>&1 ||
  { cat "$tmp/dry.log"; fail "dry run failed"; }
for want in "cmake --build --preset release --target bitnet_benches bench-diff" \
  '--benchmark_filter=\^quant_act/' "--benchmark_repetitions=9" "BITNET_DETERMINISTIC=1" \
  "bench-diff $tmp/baselines/" "--flagged-filter" "re-run once"; do
  grep -qF -- "$want" "$tmp/dry.log" || { cat "$tmp/dry.log"; fail "dry run does not show '$want'"; }
done
[[ ! -e "$tmp/dry" ]] || fail "dry run created the artifact folder"
[[ ! -e "$FAKE_BENCH_COUNTER" ]] || fail "dry run ran the suite"
[[ "$(find "$tmp/baselines" | sort | md5sum)" == "$before" ]] || fail "dry run touched the history"
echo ok: dry run

# Bad settings are usage errors (exit 2) with the variable named.
rc=0
BITNET_REPETITIONS=3 "$root/ci/nightly.sh" --dry-run >"$tmp/bad.log" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "BITNET_REPETITIONS='3'" "$tmp/bad.log" || fail "3 repetitions accepted"
echo "ok: all nightly checks passed"
