#!/usr/bin/env bash
# bitnet-compare convert streams its input: a llama-bench jsonl file larger than the address
# space it is allowed (ulimit -v) converts, and every test in it is in the output. A reader that
# held the file (or every converted row) whole would fail with an allocation error.
# Usage: check_convert_streams.sh BITNET_COMPARE TEST_DATA_DIR WORK_DIR SANITIZED(1|0)
set -euo pipefail
bin=$1 data=$2 work=$3 sanitized=$4
if [[ $sanitized == 1 ]]; then
  # ASan reserves terabytes of shadow address space: no address-space limit can apply.
  echo "skipped: ulimit -v cannot apply under AddressSanitizer"
  exit 77
fi
limit_kib=$((192 * 1024))   # 192 MiB of address space (bitnet-compare itself needs ~40 MiB)
lines=4800                  # of ~64 KiB each: ~300 MiB, above the limit and above the 256 MiB
                            # that read_input_file would read whole
dir=$work/convert_streams
rm -rf "$dir"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
# One real llama-bench jsonl test, padded with a field llama-bench does not have (ignored).
test_line=$(head -n 1 "$data/transcripts/bench-A-TQ2_0.jsonl")
pad=$(head -c 65000 /dev/zero | tr '\0' x)
line="${test_line%\}}, \"pad\": \"$pad\"}"
for ((i = 0; i < lines; ++i)); do printf '%s\n' "$line"; done > "$dir/big.jsonl"
size=$(stat -c %s "$dir/big.jsonl")
if ((size <= limit_kib * 1024 || size <= 256 * 1024 * 1024)); then
  echo "FAIL: generated file is only $size bytes" >&2
  exit 1
fi
reps=$(printf '%s' "$test_line" | grep -o '"samples_ns": \[[^]]*\]' | tr -cd ',' | wc -c)
reps=$((reps + 1))
set +e
(ulimit -v "$limit_kib"; exec "$bin" convert "$dir/big.jsonl" -o -) 2> "$dir/err" |
  grep -c '"run_type": "iteration"' > "$dir/count"
rc=${PIPESTATUS[0]}
set -e
if ((rc != 0)); then
  echo "FAIL: bitnet-compare convert of a $size-byte file under ulimit -v $limit_kib exited $rc:" >&2
  cat "$dir/err" >&2
  exit 1
fi
got=$(cat "$dir/count")
if ((got != lines * reps)); then
  echo "FAIL: $got iteration rows, expected $((lines * reps)) ($lines tests x $reps samples)" >&2
  exit 1
fi
echo "ok: $size bytes converted under ulimit -v ${limit_kib} KiB ($got iteration rows)"
