#!/usr/bin/env bash
# aarch64 CI on an x86-64 Debian 12 host (docs/arm64.md): installs the cross compiler, qemu-user
# and the arm64 libraries, cross-builds with -Werror (preset arm64-cross) only what it runs (the
# bitnet_tests_<label> targets of its labels and bitnet_benches), then runs under QEMU user-mode
# emulation:
#   1. the kernels, gguf, decode and diff labels on QEMU's "max" CPU (NEON + dot product + i8mm):
#      every kernel against its reference, the pins in the registry tests;
#   2. each aarch64 ISA pinned in turn (BITNET_ISA=neon, dotprod, i8mm): dispatch picks that
#      ISA's kernels, and the decode tests pass on them;
#   3. the same on a Cortex-A53 (no dot product): detection, the neon kernels chosen, the
#      dotprod ones refused, every available kernel's self-check, the decode tests;
#   4. bitnet_benches --bitnet_quick: every row present, none errored.
# Timings under QEMU mean nothing; correctness does. So nothing here measures dispatch:
# BITNET_TUNE=off (a tuning table made under emulation would time every kernel on the 2B4T
# shapes at QEMU speed, and decide nothing true). Left out (docs/arm64.md): the other labels
# (fixtures, tokenizer, bench, compare, crossval, peer, report, hardening) run on x86-64 only,
# for CI time; the diff label's bash-driven cases when this host has no binfmt_misc entry for
# qemu-aarch64 (bash cannot start an aarch64 binary without one).
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo "== ci/arm64.sh: $1 ($(date -u +%H:%M:%S), ${SECONDS}s so far)"; }

stage "packages"
ci/install-deps.sh --arm64

build=build/arm64-cross
stage "cross-build (-Werror): the tested labels' targets + bitnet_benches"
cmake --preset arm64-cross -DBITNET_WERROR=ON
cmake --build --preset arm64-cross -j"$(nproc)" --target bitnet_tests_kernels bitnet_tests_gguf \
  bitnet_tests_decode bitnet_tests_diff bitnet_benches

# A private cache (synthetic models, probe results), so a run depends on nothing outside the
# build directory, and BITNET_TUNE=off (above) for every process, not only ctest's.
export BITNET_CACHE=$PWD/$build/cache BITNET_TUNE=off
unset QEMU_CPU BITNET_ISA

exclude='^(kernels_cli_tune|kernels_cli_list_tuned)$'
if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
  echo "ci/arm64.sh: no binfmt_misc entry for qemu-aarch64: the bash-driven diff cases are left out"
  exclude='^(kernels_cli_tune|kernels_cli_list_tuned|diff_cli|diff_nightly|diff_perf_loop|diff_validate|diff_setup|diff_people)$'
fi

stage "ctest -L kernels|gguf|decode|diff on QEMU max"
ctest --preset arm64-cross -L 'kernels|gguf|decode|diff' -LE slow -E "$exclude"

qemu=(qemu-aarch64 -L /)  # the multiarch runtime (cmake/toolchains/aarch64-linux-gnu.cmake)
bin=$build/bin
# The GEMV dispatch picks for TQ2_0 under each pin (i8mm has no kernel of its own yet: the
# dotprod ones, whose features it includes).
declare -A gemv_pick=([neon]=matmul_tq2_0_q8k_4x1__neon [dotprod]=matmul_tq2_0_q8k_4x1__dotprod
  [i8mm]=matmul_tq2_0_q8k_4x1__dotprod)
for isa in neon dotprod i8mm; do
  stage "BITNET_ISA=$isa: dispatch + decode"
  BITNET_ISA=$isa "${qemu[@]}" "$bin/bitnet-kernels" list >"$build/pin-$isa-list.txt"
  grep -q "^isa pin: $isa\$" "$build/pin-$isa-list.txt"
  if ! grep -Eq "^${gemv_pick[$isa]} +.* yes +gemv" "$build/pin-$isa-list.txt"; then
    echo "ci/arm64.sh: BITNET_ISA=$isa: the TQ2_0 GEMV is not ${gemv_pick[$isa]}:" >&2
    grep '^matmul_tq2_0' "$build/pin-$isa-list.txt" >&2
    exit 1
  fi
  BITNET_ISA=$isa ctest --preset arm64-cross -L decode -LE slow -E "$exclude"
done

stage "QEMU_CPU=cortex-a53 (no dot product)"
export QEMU_CPU=cortex-a53
"${qemu[@]}" "$bin/bitnet-kernels" list >"$build/a53-list.txt"
head -5 "$build/a53-list.txt"  # (not `tee | head`: head's early exit is a SIGPIPE, pipefail)
grep -q '^usable features: neon$' "$build/a53-list.txt"
grep -Eq '^matmul_tq2_0_q8k_4x1__dotprod +.* no ' "$build/a53-list.txt"
grep -Eq '^matmul_tq2_0_q8k_4x1__neon +.* gemv' "$build/a53-list.txt"
if BITNET_ISA=dotprod "${qemu[@]}" "$bin/bitnet-kernels" list 2>/dev/null; then
  echo "ci/arm64.sh: BITNET_ISA=dotprod was accepted on a CPU without the dot product" >&2
  exit 1
fi
"${qemu[@]}" "$bin/bitnet-kernels" check | tail -1
ctest --preset arm64-cross -L decode -LE slow -E "$exclude"
unset QEMU_CPU

stage "bitnet_benches --bitnet_quick under QEMU (structure only; timings meaningless)"
"${qemu[@]}" "$bin/bitnet_benches" --bitnet_quick --benchmark_min_time=0.01 \
  --benchmark_out="$build/quick.json" --benchmark_out_format=json >"$build/quick.txt"
python3 - "$build/quick.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
bad = [r["name"] for r in rows if r.get("error_occurred")]
print(f"ci/arm64.sh: {len(rows)} rows, {len(bad)} errored")
if bad or not rows:
    print("\n".join(bad[:20]))
    sys.exit(1)
PY
stage "done"
