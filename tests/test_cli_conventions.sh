#!/usr/bin/env bash
# The command-line conventions every tool shares (docs/cli.md), one table row per tool:
# --version prints the version and commit, --x=v means --x v, each subcommand's --help works and
# names its options, an unknown option is exit 2 naming it, a missing file is exit 3 naming it.
# Usage: test_cli_conventions.sh BIN_DIR DATA_DIR TOOL
set -euo pipefail
bin=$1 data=$2 tool=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
missing=$tmp/no-such-file.gguf
fail() { echo "FAIL: $tool: $*" >&2; exit 1; }
run() {  # run ARGS...: the tool's exit status in $rc, output in $tmp/out and $tmp/err
  rc=0
  "$bin/$tool" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}
version() {
  run --version
  [[ $rc == 0 ]] || fail "--version: exit $rc"
  grep -Eq "^$tool [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$" "$tmp/out" ||
    fail "--version printed: $(cat "$tmp/out")"
}
help() {  # help "SUBCOMMAND..." OPTION...: rc 0, stdout names each option
  local sub=$1
  shift
  # shellcheck disable=SC2086
  run $sub --help
  [[ $rc == 0 ]] || fail "$sub --help: exit $rc: $(cat "$tmp/err")"
  for o in "$@"; do
    grep -q -- "$o" "$tmp/out" || fail "$sub --help does not name $o: $(cat "$tmp/out")"
  done
}
unknown() {  # unknown ARGS...: the ARGS plus --no-such-option are a usage error naming it
  run "$@" --no-such-option
  [[ $rc == 2 ]] || fail "$* --no-such-option: exit $rc, expected 2"
  grep -q -- "--no-such-option" "$tmp/err" || fail "unknown option not named: $(cat "$tmp/err")"
}
missing() {  # missing ARGS...: ARGS (naming $missing) are an input error naming the file
  run "$@"
  [[ $rc == 3 ]] || fail "$*: exit $rc, expected 3: $(cat "$tmp/err")"
  grep -q -- "$missing" "$tmp/err" || fail "missing file not named: $(cat "$tmp/err")"
}
same() {  # same ARGS... -- ARGS...: both command lines give the same status and stdout
  local a=() b=()
  while [[ $1 != -- ]]; do a+=("$1"); shift; done
  shift
  b=("$@")
  run "${a[@]}"
  local rc_a=$rc
  cp "$tmp/out" "$tmp/out_a"
  run "${b[@]}"
  [[ $rc == "$rc_a" ]] || fail "${a[*]} (exit $rc_a) and ${b[*]} (exit $rc) differ"
  cmp -s "$tmp/out" "$tmp/out_a" || fail "${a[*]} and ${b[*]} print different output"
}

version
case $tool in
bitnet-gguf)
  help "" info
  help info --json --max-items
  unknown info "$data/tiny-bitnet-A-TQ2_0.gguf"
  missing info "$missing"
  same info "$data/tiny-bitnet-A-TQ2_0.gguf" --max-items=2 -- info "$data/tiny-bitnet-A-TQ2_0.gguf" --max-items 2
  ;;
bitnet-dispatch-check)
  help "" --tolerance --verbose
  unknown "$data/dispatch/pass.json"
  missing "$missing"
  same "$data/dispatch/fail.json" --tolerance=50 -- "$data/dispatch/fail.json" --tolerance 50
  ;;
bitnet-quantize)
  help "" IN.gguf FORMAT --embd --token-embedding-type --output --output-tensor-type
  unknown "$data/tiny-bitnet-A-TQ2_0.gguf" "$tmp/q.gguf" TQ2_0
  missing "$missing" "$tmp/q.gguf" TQ2_0
  same "$data/tiny-bitnet-A-TQ2_0.gguf" "$tmp/q1.gguf" TQ1_0 --embd=keep -- \
    "$data/tiny-bitnet-A-TQ2_0.gguf" "$tmp/q1.gguf" TQ1_0 --embd keep
  ;;
bitnet-kernels)
  help "" list tune check
  help list --json
  help tune --threads
  help check --kernel
  unknown list
  # No input file: instead, a bad value names the option.
  run tune --threads=0
  [[ $rc == 2 ]] && grep -q -- "--threads" "$tmp/err" || fail "tune --threads=0: exit $rc"
  same check --kernel=matmul_tq2_0_q8k_1x1__scalar -- check --kernel matmul_tq2_0_q8k_1x1__scalar
  ;;
bitnet-tokenize)
  m=$data/tiny-bitnet-A-TQ2_0.gguf
  help "" -m,--model -p,--prompt -f,--file --stdin --ids --no-bos --show-count
  unknown -m "$m" -p hi
  missing -m "$missing" -p hi
  missing -m "$m" -f "$missing"
  same -m "$m" --prompt="The quick" --ids -- -m "$m" --prompt "The quick" --ids
  same --model="$m" -p "The quick" -- --model "$m" -p "The quick"
  ;;
bitnet-run)
  m=$data/tiny-bitnet-A-TQ2_0.gguf
  help "" -m,--model -p,--prompt -f,--file --ids --prompt-tokens -n,--n-predict -t,--threads \
    -c,--ctx -b,--batch --kv --json --profile
  unknown -m "$m" --ids 1
  missing -m "$missing" --ids 1
  missing -m "$m" -f "$missing"
  same -m "$m" --ids=1,2 --n-predict=3 --ctx=64 -- -m "$m" --ids 1,2 -n 3 -c 64
  ;;
bench-diff)
  d=$data/diff
  help "" BASELINE CONTENDER --metric --alpha --threshold --config --changed-only --sort --format
  unknown "$d/baseline.json" "$d/noise.json"
  missing "$d/baseline.json" "$missing"
  missing "$d/baseline.json" "$d/noise.json" --config "$missing"
  same "$d/baseline.json" "$d/regression.json" --threshold=25 --format=json -- \
    "$d/baseline.json" "$d/regression.json" --threshold 25 --format json
  ;;
bench-report)
  d=$data/report
  help "" RESULT.json -o --history --history-depth --diff --config --alpha --threshold --export
  unknown "$d/quick.json"
  missing "$missing"
  missing "$d/quick.json" --diff "$missing"
  same "$d/quick.json" --export=bencher -- "$d/quick.json" --export bencher
  ;;
bitnet-fixtures)
  export BITNET_CACHE=$tmp/cache BITNET_OFFLINE=1
  help "" list resolve download generate verify info gc
  help resolve --offline --no-generate
  help download --sha256 --size -o
  help generate --format --embd --arch --seed --threads -o
  help verify --full
  help info
  help gc --dry-run
  unknown resolve "$data/tiny-bitnet-A-TQ2_0.gguf"
  missing resolve "$missing"
  missing verify "$missing"
  missing info "$missing"
  same generate tiny --format=tq1_0 --seed=3 -o "$tmp/g.gguf" -- \
    generate tiny --format tq1_0 --seed 3 -o "$tmp/g.gguf"
  ;;
bitnet-compare)
  m=$data/tiny-bitnet-A-TQ2_0.gguf
  help "" bench find convert table kernels crossval logits kld
  help bench -m,--model -p -n -t -r --llama-dir --tool --timeout --time-unit -o
  help find --llama-dir
  help convert FILE --peer-name --model-label --time-unit -o
  help table --ours --peer --merged-out
  help kernels FILE
  help crossval -m,--model --steps --min-cosine --text --kld-ctx --work-dir
  help logits --min-cosine
  help kld --base -m,--model --numerics --max-mean-kld --write-base --tokens --chunks
  unknown convert "$data/transcripts/bench-A-TQ2_0.json"
  unknown kld --base x -m "$m"
  missing convert "$missing"
  missing -m "$missing" --llama-dir "$tmp"
  missing table --ours "$missing" --peer "$missing"
  missing kld --base "$missing" -m "$m"
  same convert "$data/transcripts/bench-A-TQ2_0.json" --time-unit=us --model-label=x -- \
    convert "$data/transcripts/bench-A-TQ2_0.json" --time-unit us --model-label x
  same kld --base="$data/kld/tiny-bitnet-A-TQ2_0.kld" --model="$m" --chunks=1 -- \
    kld --base "$data/kld/tiny-bitnet-A-TQ2_0.kld" -m "$m" --chunks 1
  ;;
bitnet_benches)
  # Google Benchmark's own flags stay as they are (the = form); --version is ours.
  run --benchmark_filter=^gemv/ --benchmark_list_tests=true --bitnet_quick
  [[ $rc == 0 ]] && grep -q "^gemv/" "$tmp/out" || fail "--benchmark_filter=...: exit $rc"
  ;;
*) fail "no conventions row for this tool" ;;
esac
echo "ok: $tool command line"
