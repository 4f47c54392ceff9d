#!/usr/bin/env bash
# tools/validate-benchmark-setup.sh: OK for what exists, a clear FAIL (with a fix command) for
# what does not. Robust to components not built yet: each expectation follows what is on disk.
# Usage: test_diff_validate.sh REPO_ROOT BUILD_DIR
set -euo pipefail
root=$1 build=$2
v=$root/tools/validate-benchmark-setup.sh
data=$root/tests/data/diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BITNET_CACHE=$tmp/cache
fail() { echo "FAIL: $*" >&2; exit 1; }
check() {  # check EXPECTED_STATUS ARGS...: run the validator, keep its output in $tmp/out
  local want=$1 rc=0
  shift
  "$v" --build-dir "$build" "$@" >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == "$want" ]] || { cat "$tmp/out"; fail "validate $*: exit $rc, expected $want"; }
}

# Build products: OK exactly for the executables present, FAIL + fix for the others.
missing=0
for exe in bitnet_benches bench-diff bitnet-fixtures bitnet-kernels bitnet-compare; do
  [[ -x "$build/bin/$exe" ]] || missing=$((missing + 1))
done
check $((missing > 0 ? 1 : 0)) --only compiler,build
grep -q "^OK    compiler:" "$tmp/out" || fail "compiler not reported OK"
grep -q "^OK    cmake: " "$tmp/out" || fail "cmake not reported OK"
for exe in bitnet_benches bench-diff bitnet-fixtures bitnet-kernels bitnet-compare; do
  if [[ -x "$build/bin/$exe" ]]; then
    grep -q "^OK    build: .*/$exe\$" "$tmp/out" || fail "$exe exists but is not OK"
  else
    grep -A1 "^FAIL  build: .*/$exe missing" "$tmp/out" | grep -q "fix: cmake --build .*--target $exe" ||
      fail "$exe missing without a FAIL + fix line"
  fi
done
echo "ok: build items ($missing missing)"

# CPU: the dispatcher's answer when bitnet-kernels is built.
if [[ -x "$build/bin/bitnet-kernels" ]]; then
  check 0 --only cpu
  grep -q "^OK    cpu: dispatch best ISA [a-z0-9]* (pin: " "$tmp/out" || { cat "$tmp/out"; fail "no dispatch ISA"; }
  echo "ok: cpu item"
fi

# Machine: the load line always (its verdict follows the load at hand), governor/turbo lines.
rc=0
"$v" --build-dir "$build" --only machine >"$tmp/out" 2>&1 || rc=$?
grep -Eq "^(OK|WARN|FAIL) +machine: load average [0-9.]+ .* on [0-9]+ CPUs" "$tmp/out" || { cat "$tmp/out"; fail "no load line"; }
grep -Eq "^(OK|WARN) +machine: (frequency governor|turbo|boost)" "$tmp/out" || { cat "$tmp/out"; fail "no frequency line"; }
if grep -q "^FAIL" "$tmp/out"; then
  [[ $rc == 1 ]] || fail "a FAIL line but exit $rc"
  grep -A1 "^FAIL  machine: load" "$tmp/out" | grep -q "fix: wait until 'uptime'" || fail "load FAIL without the fix"
else
  [[ $rc == 0 ]] || fail "no FAIL line but exit $rc"
fi
echo "ok: machine item (exit $rc)"

# Tuning and probe in an empty cache: WARN with the command that makes them.
if [[ -x "$build/bin/bitnet-kernels" ]]; then
  BITNET_TUNE=on check 0 --only tuning
  grep -A1 "^WARN  tuning: static order (no tuning table yet" "$tmp/out" | grep -q "fix: .*bitnet-kernels tune" ||
    { cat "$tmp/out"; fail "missing tuning table not reported with its fix"; }
  echo "ok: tuning item"
fi
check 0 --only probe
grep -q "^WARN  probe: no cached machine limits" "$tmp/out" || { cat "$tmp/out"; fail "no probe WARN"; }
mkdir -p "$BITNET_CACHE/probe"
printf '{"limits": {"l2_read/threads:1": 9e10, "l3_read/threads:1": 1.4e10, "dram_read/threads:1": 1.5e10}}' \
  >"$BITNET_CACHE/probe/m.json"
check 1 --only probe
grep -q "^FAIL  probe: .*l3_read 1.4e+10 < dram_read 1.5e+10" "$tmp/out" || { cat "$tmp/out"; fail "unordered probe not a FAIL"; }
printf '{"limits": {"l2_read/threads:1": 9e10, "l3_read/threads:1": 4e10, "dram_read/threads:1": 1.5e10}}' \
  >"$BITNET_CACHE/probe/m.json"
check 0 --only probe
grep -q "^OK    probe: .*levels ordered" "$tmp/out" || { cat "$tmp/out"; fail "ordered probe not OK"; }
rm -rf "$BITNET_CACHE/probe"
echo "ok: probe item"

# Fixtures: a generated file verifies; once deleted it FAILs naming the file and the fix.
if [[ -x "$build/bin/bitnet-fixtures" ]]; then
  "$build/bin/bitnet-fixtures" generate tiny --format tq2_0 -o "$tmp/tiny.gguf" >/dev/null 2>&1 ||
    fail "bitnet-fixtures generate tiny failed"
  BITNET_VALIDATE_FIXTURES=$tmp/tiny.gguf check 0 --only fixtures
  grep -q "^OK    fixtures: $tmp/tiny.gguf verified" "$tmp/out" || { cat "$tmp/out"; fail "fixture not OK"; }
  rm "$tmp/tiny.gguf"
  BITNET_VALIDATE_FIXTURES=$tmp/tiny.gguf check 1 --only fixtures
  grep -q "^FAIL  fixtures: $tmp/tiny.gguf does not exist" "$tmp/out" || fail "deleted fixture not FAILed"
  grep -q "fix: " "$tmp/out" || fail "no fix for the deleted fixture"
  # A spec missing from an empty cache names the resolve command that makes it.
  BITNET_VALIDATE_FIXTURES=synthetic:tiny:tq2_0@1 check 1 --only fixtures
  grep -q "fix: .*bitnet-fixtures resolve 'synthetic:tiny:tq2_0@1' --offline" "$tmp/out" ||
    { cat "$tmp/out"; fail "missing cached fixture without its fix"; }
  echo "ok: fixture present / deleted"
else
  check 1 --only fixtures
  grep -q "^FAIL  fixtures: no .*bitnet-fixtures" "$tmp/out" || fail "missing bitnet-fixtures not FAILed"
fi

# End-to-end bench item, with stand-in suites: valid JSON passes, errored rows and garbage fail.
if [[ -x "$build/bin/bench-diff" ]]; then
  printf '#!/bin/sh\ncat %s\n' "$data/noise.json" >"$tmp/good_suite"
  printf '#!/bin/sh\ncat %s\n' "$data/changed_rows.json" >"$tmp/errored_suite"
  printf '#!/bin/sh\necho "{\\"benchmarks\\": [{\\"run_type\\": 1"\n' >"$tmp/garbage_suite"
  printf '#!/bin/sh\necho "Segmentation fault" >&2\nexit 139\n' >"$tmp/crashing_suite"
  chmod +x "$tmp"/*_suite
  BITNET_BENCH_BIN=$tmp/good_suite check 0 --only bench
  grep -q "^OK    bench: quick run wrote valid JSON (27 rows)" "$tmp/out" || { cat "$tmp/out"; fail "good suite"; }
  BITNET_BENCH_BIN=$tmp/errored_suite check 1 --only bench
  grep -q "^FAIL  bench: the quick run has errored benchmarks" "$tmp/out" || fail "errored suite"
  BITNET_BENCH_BIN=$tmp/garbage_suite check 1 --only bench
  grep -q "^FAIL  bench: invalid JSON" "$tmp/out" || { cat "$tmp/out"; fail "garbage suite"; }
  BITNET_BENCH_BIN=$tmp/crashing_suite check 1 --only bench
  grep -q "^FAIL  bench: .*failed: Segmentation fault" "$tmp/out" || { cat "$tmp/out"; fail "crashing suite"; }
  echo "ok: bench item with stand-in suites"
fi

# The real suite, on a tiny filter, when it is built.
if [[ -x "$build/bin/bitnet_benches" && -x "$build/bin/bench-diff" ]]; then
  BITNET_VALIDATE_BENCH_FILTER='^quant_act/' check 0 --only bench
  grep -q "^OK    bench: quick run wrote valid JSON" "$tmp/out" || fail "real quick run not OK"
  echo "ok: real suite quick run"
fi

# Peer: optional by default (WARN, exit 0), required with --require-peer.
if [[ -x "$build/bin/bitnet-compare" ]]; then
  LLAMA_CPP_DIR=$tmp/nowhere BITNET_CPP_DIR='' PATH=/usr/bin:/bin check 0 --only peer
  grep -q "^WARN  peer: " "$tmp/out" || { cat "$tmp/out"; fail "absent peer not a WARN"; }
  LLAMA_CPP_DIR=$tmp/nowhere BITNET_CPP_DIR='' PATH=/usr/bin:/bin check 1 --only peer --require-peer
  echo "ok: peer optional / required"
fi

rc=0
"$v" --only nonsense >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "unknown item accepted"
echo "ok: validate script"
