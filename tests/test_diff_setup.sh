#!/usr/bin/env bash
# tools/setup-benchmarks.sh --dry-run: every step is printed (packages, configure/build, fixtures,
# peer, config record, the suite run) and nothing is built, written or run.
# Usage: test_diff_setup.sh REPO_ROOT
set -euo pipefail
root=$1
s=$root/tools/setup-benchmarks.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
snapshot() { { find "$root/benchmark-results" "$root/build/release/bin" -maxdepth 1 2>/dev/null || true; } | sort | md5sum; }

before=$(snapshot)
touch "$tmp/real.gguf"  # an existing path: verified, never downloaded
"$s" --dry-run --model "$tmp/real.gguf" -- --bitnet_quick >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "dry run failed"; }
for want in "[dry-run] $root/ci/install-deps.sh" "[dry-run] cmake --build --preset release" \
  "bitnet-fixtures resolve synthetic:2b4t:tq2_0@1 --offline" \
  "bitnet-fixtures resolve synthetic:2b4t:i2_s@1 --offline" "bitnet-fixtures verify" \
  "bitnet-fixtures verify $tmp/real.gguf" "[dry-run] $root/build/release/bin/bitnet-compare find" \
  "would write $root/benchmark-results/benchmark-config.json" \
  "build/release/bin/bitnet_benches --benchmark_out=$root/benchmark-results/bench-" \
  "--bitnet_model=$tmp/real.gguf --bitnet_quick"; do
  grep -qF -- "$want" "$tmp/out" || { cat "$tmp/out"; fail "dry run does not show: $want"; }
done
[[ "$(snapshot)" == "$before" ]] || fail "dry run changed benchmark-results/ or build/release/bin/"
echo "ok: dry run shows every step"

"$s" --dry-run --force --skip-cpp --no-run >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "--force dry run failed"; }
grep -qF "cmake --preset release" "$tmp/out" || fail "--force does not reconfigure"
grep -qF "cmake --build --preset release --clean-first" "$tmp/out" || fail "--force does not rebuild"
grep -qF "bitnet-fixtures verify --full" "$tmp/out" || fail "--force does not re-verify fully"
grep -qF "bitnet-compare" "$tmp/out" && fail "--skip-cpp still looks for the peer"
grep -qF "bitnet_benches" "$tmp/out" && fail "--no-run still runs the suite"
echo "ok: --force / --skip-cpp / --no-run"

rc=0
"$s" --bogus >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "unknown argument '--bogus'" "$tmp/out" || fail "bad argument not a usage error"
echo "ok: setup script"
