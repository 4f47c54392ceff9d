#!/usr/bin/env bash
# aarch64 CI on an x86-64 Debian 12 host (docs/arm64.md): installs the cross compiler, qemu-user
# and the arm64 libraries, cross-builds everything with -Werror (preset arm64-cross), then runs the
# tests under QEMU user-mode emulation:
#   1. the kernels, gguf, decode and diff labels on QEMU's "max" CPU (NEON + dot product + i8mm);
#   2. every kernel's self-check and the decode tests with each aarch64 ISA pinned in turn;
#   3. the same on a Cortex-A53 (no dot product): detection, the neon kernels chosen, the
#      dotprod ones refused.
# Timings under QEMU mean nothing; correctness does. Left out (docs/arm64.md): the other labels
# (fixtures, tokenizer, bench, compare, crossval, peer, report, hardening) run on x86-64 only,
# for CI time; the diff label's bash-driven cases when this host has no binfmt_misc entry for
# qemu-aarch64 (bash cannot start an aarch64 binary without one).
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo "== ci/arm64.sh: $1 ($(date -u +%H:%M:%S), ${SECONDS}s so far)"; }

stage "packages"
ci/install-deps.sh --arm64

stage "cross-build (-Werror)"
cmake --preset arm64-cross -DBITNET_WERROR=ON
cmake --build --preset arm64-cross -j"$(nproc)"

exclude='^(kernels_cli_tune|kernels_cli_list_tuned)$'
if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
  echo "ci/arm64.sh: no binfmt_misc entry for qemu-aarch64: the bash-driven diff cases are left out"
  exclude='^(kernels_cli_tune|kernels_cli_list_tuned|diff_cli|diff_nightly|diff_perf_loop|diff_validate|diff_setup)$'
fi

stage "ctest -L kernels|gguf|decode|diff on QEMU max"
unset QEMU_CPU BITNET_ISA
ctest --preset arm64-cross -L 'kernels|gguf|decode|diff' -LE slow -E "$exclude"

qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
bin=build/arm64-cross/bin
for isa in neon dotprod i8mm; do
  stage "BITNET_ISA=$isa: bitnet-kernels check + decode"
  BITNET_ISA=$isa "${qemu[@]}" "$bin/bitnet-kernels" list | grep -q "isa pin: $isa"
  BITNET_ISA=$isa "${qemu[@]}" "$bin/bitnet-kernels" check | tail -1
  BITNET_ISA=$isa ctest --preset arm64-cross -L decode -LE slow
done

stage "QEMU_CPU=cortex-a53 (no dot product)"
export QEMU_CPU=cortex-a53
"${qemu[@]}" "$bin/bitnet-kernels" list | tee build/arm64-cross/a53-list.txt | head -5
grep -q '^usable features: neon$' build/arm64-cross/a53-list.txt
grep -Eq '^matmul_tq2_0_q8k_4x1__dotprod +.* no ' build/arm64-cross/a53-list.txt
grep -Eq '^matmul_tq2_0_q8k_4x1__neon +.* gemv' build/arm64-cross/a53-list.txt
if BITNET_ISA=dotprod "${qemu[@]}" "$bin/bitnet-kernels" list 2>/dev/null; then
  echo "ci/arm64.sh: BITNET_ISA=dotprod was accepted on a CPU without the dot product" >&2
  exit 1
fi
"${qemu[@]}" "$bin/bitnet-kernels" check | tail -1
ctest --preset arm64-cross -L decode -LE slow
unset QEMU_CPU

stage "bitnet_benches --bitnet_quick under QEMU (structure only; timings meaningless)"
"${qemu[@]}" "$bin/bitnet_benches" --bitnet_quick --benchmark_min_time=0.01 \
  --benchmark_out=build/arm64-cross/quick.json --benchmark_out_format=json > /dev/null
python3 - build/arm64-cross/quick.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
bad = [r["name"] for r in rows if r.get("error_occurred")]
print(f"ci/arm64.sh: {len(rows)} rows, {len(bad)} errored")
if bad or not rows:
    print("\n".join(bad[:20]))
    sys.exit(1)
PY
stage "done"
