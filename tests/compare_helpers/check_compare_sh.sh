#!/usr/bin/env bash
# ctest driver for ci/compare.sh: a fake bitnet_benches (writes a fixed Google Benchmark JSON) and
# the fake llama-bench (replays a recorded transcript) stand in for both sides.
#   check_compare_sh.sh REPO_ROOT FAKE_LLAMA BITNET_COMPARE DATA_DIR
set -euo pipefail
ROOT=$1 FAKE=$2 COMPARE=$3 DATA=$4
T=$(mktemp -d "${TMPDIR:-/tmp}/check_compare_sh.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$T/peer"
ln -s "$FAKE" "$T/peer/llama-bench"
printf 'version=version: 4748 (c392e5094)\nstdout=%s\nargv_log=%s\n' \
  "$DATA/transcripts/bench-A-TQ2_0.json" "$T/order" > "$T/peer/llama-bench.fake"
cat > "$T/fake_bench" <<'FAKE_BENCH'
#!/usr/bin/env bash
out=""
for a in "$@"; do case "$a" in --benchmark_out=*) out=${a#--benchmark_out=} ;; esac; done
echo ours >> "$(dirname "$0")/order"
cat > "$out" <<JSON
{"context": {"executable": "bitnet_benches"}, "benchmarks": [
 {"name": "decode/tiny-bitnet-a-tq2_0/pos:0/threads:2/real_time", "run_name": "decode/tiny-bitnet-a-tq2_0/pos:0/threads:2/real_time",
  "run_type": "iteration", "real_time": 333333.3, "cpu_time": 333333.3, "time_unit": "ns", "tokens_per_second": 3000},
 {"name": "prefill/tiny-bitnet-a-tq2_0/tokens:128/threads:2/real_time", "run_name": "prefill/tiny-bitnet-a-tq2_0/tokens:128/threads:2/real_time",
  "run_type": "iteration", "real_time": 50000, "cpu_time": 50000, "time_unit": "ns", "tokens_per_second": 20000}]}
JSON
FAKE_BENCH
chmod +x "$T/fake_bench"

MODEL="$DATA/tiny-bitnet-A-TQ2_0.gguf"
out=$(PATH=/usr/bin:/bin BITNET_BENCHES="$T/fake_bench" BITNET_COMPARE="$COMPARE" \
  "$ROOT/ci/compare.sh" -m "$MODEL" -t 2 -r 2 -n 16 --llama-dir "$T/peer" --out-dir "$T/out" 2>"$T/err") \
  || { cat "$T/err" >&2; fail "compare.sh exited $?"; }
echo "$out"
# Peer medians over both rounds: decode 6435.22 t/s, prefill 29961.5 t/s (the transcript's samples).
grep -q 'decode/tiny-bitnet-a-tq2_0/pos:0/threads:2 .* peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2 .*6435.22 .*0.466x' <<<"$out" \
  || fail "decode row missing or wrong"
# The recorded peer prefill is 32 tokens, ours 128: listed, but flagged "unlike" with no ratio.
grep -q 'prefill/tiny-bitnet-a-tq2_0/tokens:128/threads:2 .*29961.50 .*unlike' <<<"$out" || fail "prefill row missing or not flagged unlike"
grep -q 'note: .* has 128 prompt tokens, .* has 32: prefill tokens/s of unlike lengths' <<<"$out" || fail "no unlike-length note"
grep -q '0.668x' <<<"$out" && fail "a ratio was printed for unlike prefill lengths"
# Asking for a prefill length ours does not run is refused up front.
rc=0
PATH=/usr/bin:/bin BITNET_BENCHES="$T/fake_bench" BITNET_COMPARE="$COMPARE" \
  "$ROOT/ci/compare.sh" -m "$MODEL" -p 32 -r 1 --llama-dir "$T/peer" --out-dir "$T/out3" 2>"$T/err3" || rc=$?
[[ $rc -eq 2 ]] || { cat "$T/err3" >&2; fail "expected exit 2 for -p 32, got $rc"; }
grep -q "unlike length" "$T/err3" || fail "no unlike-length message for -p 32"
[[ -s "$T/out/merged.json" ]] || fail "no merged.json"
# Interleaving: round 1 runs ours first, round 2 the peer first.
seq=$(awk '/^ours$/ {print "ours"} /^-o$/ {print "peer"}' "$T/order" | tr '\n' ' ')
[[ "$seq" == "ours peer peer ours " ]] || fail "run order was '$seq'"

# No peer anywhere: bitnet-compare's exit code 3 comes through.
rc=0
PATH=/usr/bin:/bin BITNET_BENCHES="$T/fake_bench" BITNET_COMPARE="$COMPARE" \
  "$ROOT/ci/compare.sh" -m "$MODEL" -r 1 --llama-dir "$T/nowhere" --out-dir "$T/out2" 2>"$T/err2" || rc=$?
[[ $rc -eq 3 ]] || { cat "$T/err2" >&2; fail "expected exit 3 without a peer, got $rc"; }
grep -q "looked in:" "$T/err2" || fail "no not-found message"
echo "PASS"
