#!/usr/bin/env bash
# Stand-in for bitnet_benches in the nightly-script tests: writes canned Google Benchmark JSON
# to --benchmark_out. Call n (1-based, counted in $FAKE_BENCH_COUNTER) writes the n-th file of
# the colon-separated $FAKE_BENCH_OUTPUTS (the last one once the list runs out). Each call's
# arguments and BITNET_* environment are appended to $FAKE_BENCH_COUNTER.log.
set -euo pipefail
out=""
for a in "$@"; do
  case "$a" in --benchmark_out=*) out=${a#--benchmark_out=} ;; esac
done
[[ -n "$out" ]] || { echo "fake bench: no --benchmark_out" >&2; exit 2; }
n=$(($(cat "$FAKE_BENCH_COUNTER" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_BENCH_COUNTER"
IFS=: read -r -a files <<<"$FAKE_BENCH_OUTPUTS"
idx=$((n <= ${#files[@]} ? n - 1 : ${#files[@]} - 1))
cp "${files[$idx]}" "$out"
echo "call $n: BITNET_DETERMINISTIC=${BITNET_DETERMINISTIC:-} BITNET_SEED=${BITNET_SEED:-} $*" \
  >>"$FAKE_BENCH_COUNTER.log"
echo "fake bench: wrote ${files[$idx]} to $out"
