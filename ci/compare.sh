#!/usr/bin/env bash
# Ours vs the peer (llama.cpp / bitnet.cpp), interleaved, on one model, then one side-by-side table.
#
#   ci/compare.sh -m MODEL.gguf [-t THREADS] [-r ROUNDS] [-n GEN] [-p PROMPT] [--llama-dir DIR]
#                 [--build-dir DIR] [--out-dir DIR] [--filter REGEX]
#
# Each round runs bitnet_benches (our decode/prefill cases for MODEL, one repetition) and
# bitnet-compare (the peer, one repetition), alternating which goes first so drift and heat hit
# both sides alike. Then `bitnet-compare table` prints median tokens/s per (phase, threads) and the
# ratio ours/peer, and writes every row of both sides into OUT/merged.json (bench-diff and Google
# Benchmark's compare.py read it). Exit status: bitnet-compare's (3 = no peer binary found).
# docs/compare.md explains the numbers and their limits.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

MODEL="" THREADS=1 ROUNDS=5 N_GEN=64 N_PROMPT=128 LLAMA_DIR="" BUILD_DIR=build/release OUT="" FILTER=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -m) MODEL=$2; shift 2 ;;
    -t) THREADS=$2; shift 2 ;;
    -r) ROUNDS=$2; shift 2 ;;
    -n) N_GEN=$2; shift 2 ;;
    -p) N_PROMPT=$2; shift 2 ;;
    --llama-dir) LLAMA_DIR=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --out-dir) OUT=$2; shift 2 ;;
    --filter) FILTER=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done
[[ -n "$MODEL" ]] || { echo "compare.sh: -m MODEL is required" >&2; usage 2; }
[[ -f "$MODEL" ]] || { echo "compare.sh: model file '$MODEL' does not exist" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: -r must be a positive integer" >&2; exit 2; }
# Our prefill cases always use OUR_PROMPT tokens (bench/shapes.h kPrefillTokens); a peer run at
# another length would put unlike prefills side by side.
OUR_PROMPT=128
if [[ "$N_PROMPT" != 0 && "$N_PROMPT" != "$OUR_PROMPT" ]]; then
  echo "compare.sh: -p $N_PROMPT: our prefill cases use $OUR_PROMPT prompt tokens, so the peer's" \
    "prefill would be compared at an unlike length; use -p $OUR_PROMPT (or -p 0 for decode only)" >&2
  exit 2
fi

BENCH=${BITNET_BENCHES:-$BUILD_DIR/bin/bitnet_benches}
COMPARE=${BITNET_COMPARE:-$BUILD_DIR/bin/bitnet-compare}
for exe in "$BENCH" "$COMPARE"; do
  [[ -x "$exe" ]] || { echo "compare.sh: '$exe' not built (cmake --build $BUILD_DIR --target bitnet_benches bitnet-compare)" >&2; exit 2; }
done
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bitnet-compare.XXXXXX")}
mkdir -p "$OUT"
# Our prefill cases use 128 prompt tokens; only this model is registered, so the filter is by family.
FILTER=${FILTER:-'^(decode|prefill)/'}

peer_args=(-m "$MODEL" -t "$THREADS" -p "$N_PROMPT" -n "$N_GEN" -r 1 --time-unit ns)
[[ -n "$LLAMA_DIR" ]] && peer_args+=(--llama-dir "$LLAMA_DIR")

# Before every timed run, ours or the peer's: the model written back and read into the page cache
# (these VMs drop file pages unused for about a minute, and a model just generated may still be
# under writeback: either turns decode into disk reads). Our rows also report resident_frac and
# the major faults of their timed region.
make_resident() {
  sync "$MODEL" 2>/dev/null || sync
  cat "$MODEL" >/dev/null
}
run_ours() {
  make_resident
  "$BENCH" --bitnet_model="$MODEL" --bitnet_threads="$THREADS" --benchmark_filter="$FILTER" \
    --benchmark_repetitions=1 --benchmark_out="$OUT/ours-$1.json" --benchmark_out_format=json >/dev/null
}
run_peer() {
  local rc=0
  make_resident
  "$COMPARE" "${peer_args[@]}" -o "$OUT/peer-$1.json" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "compare.sh: bitnet-compare failed (exit $rc) in round $1" >&2
    exit "$rc"
  fi
}

ours_files=() peer_files=()
for ((i = 1; i <= ROUNDS; i++)); do
  echo "compare.sh: round $i/$ROUNDS" >&2
  if ((i % 2)); then run_ours "$i"; run_peer "$i"; else run_peer "$i"; run_ours "$i"; fi
  ours_files+=(--ours "$OUT/ours-$i.json")
  peer_files+=(--peer "$OUT/peer-$i.json")
done

"$COMPARE" table "${ours_files[@]}" "${peer_files[@]}" --merged-out "$OUT/merged.json"
echo "compare.sh: per-round JSON and merged.json in $OUT" >&2
