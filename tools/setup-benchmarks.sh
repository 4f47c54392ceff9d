#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to benchmark results (docs/benchmarking-setup.md):
# packages, Release build, fixtures, optional peer (llama.cpp / bitnet.cpp), a config record,
# a summary, and then the benchmark suite on the embedded synthetic default (no network needed).
set -euo pipefail
BB_NAME=setup-benchmarks
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../ci/lib/common.sh
source "$root/ci/lib/common.sh"
# shellcheck source=../ci/lib/machine.sh
source "$root/ci/lib/machine.sh"

usage() {
  cat <<'EOF'
usage: tools/setup-benchmarks.sh [--skip-cpp] [--dry-run] [--force] [--model ID|PATH] [--no-run]
                                 [-- SUITE_ARGS...]

  --skip-cpp       do not look for a llama.cpp / bitnet.cpp build to compare with
  --dry-run        print every action without doing it
  --force          rebuild from clean and re-verify every fixture (full SHA-256)
  --model ID|PATH  also benchmark a real model: a .gguf path, or a manifest id / hf: spec that
                   bitnet-fixtures downloads (only then is the network used)
  --no-run         stop after the setup; do not run the benchmark suite
  SUITE_ARGS       extra arguments for bitnet_benches (e.g. --bitnet_quick)

Steps: ci/install-deps.sh; cmake --preset release; cmake --build --preset release; bitnet-fixtures
resolve/verify of the synthetic defaults (generated offline into the cache); bitnet-compare find;
benchmark-results/benchmark-config.json; summary; build/release/bin/bitnet_benches, JSON saved in
benchmark-results/. Environment: BITNET_CACHE (fixture cache), LLAMA_CPP_DIR / BITNET_CPP_DIR
(peer), BITNET_SETUP_FIXTURES (fixture specs to prepare; default: the suite's synthetic defaults).
EOF
}

skip_cpp=0 dry=0 force=0 run=1 model="" suite_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-cpp) skip_cpp=1 ;;
    --dry-run) dry=1 ;;
    --force) force=1 ;;
    --model) model=${2:?--model needs an ID or PATH}; shift ;;
    --model=*) model=${1#--model=} ;;
    --no-run) run=0 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; suite_args=("$@"); break ;;
    *) usage >&2; bb_die "unknown argument '$1'" ;;
  esac
  shift
done
BB_DRY_RUN=$dry
cd "$root"
bin=$root/build/release/bin
results=$root/benchmark-results
# shellcheck disable=SC2206  # a space-separated list on purpose
fixture_specs=(${BITNET_SETUP_FIXTURES:-synthetic:2b4t:tq2_0@1 synthetic:2b4t:i2_s@1})
summary=()  # "item: state" lines for the final summary
step() { printf '\n== %s\n' "$*" >&2; }

step "1/6 packages"
if [[ $dry == 1 ]]; then
  bb_run "$root/ci/install-deps.sh"
  "$root/ci/install-deps.sh" --dry-run >&2 || true  # shows what would be installed
else
  bb_run "$root/ci/install-deps.sh" ||
    bb_die "package installation failed (see above); needs root or sudo and a Debian 12 apt source"
fi
summary+=("packages: $( [[ $dry == 1 ]] && echo checked || echo installed)")

step "2/6 configure and build (Release)"
if [[ $force == 1 || ! -f build/release/build.ninja ]]; then
  bb_run cmake --preset release ||
    bb_die "configure failed (see above); check packages with: tools/validate-benchmark-setup.sh --only compiler,packages"
fi
build=(cmake --build --preset release)
[[ $force == 1 ]] && build+=(--clean-first)
bb_run "${build[@]}" ||
  bb_die "build failed (the first error is above; rerun: $(bb_quote "${build[@]}"))"
summary+=("build: build/release")

step "3/6 fixtures"
fixtures_tool=$bin/bitnet-fixtures
model_path=""
fixtures_json=""  # [{"spec": ..., "path": ...}] for benchmark-config.json
if [[ $dry == 0 && ! -x "$fixtures_tool" ]]; then
  bb_die "no $fixtures_tool after the build (check the build log above)"
fi
verify=("$fixtures_tool" verify)
[[ $force == 1 ]] && verify+=(--full)  # --force: rehash even files stamped as verified
# resolve prints the path of a verified local file; synthetic specs are generated offline.
for spec in "${fixture_specs[@]}"; do
  if [[ $dry == 1 ]]; then
    bb_run "$fixtures_tool" resolve "$spec" --offline
    bb_run "${verify[@]}" "<path printed by resolve>"
    continue
  fi
  bb_log "resolving $spec (generated into the cache the first time; may take a few minutes)"
  path=$("$fixtures_tool" resolve "$spec" --offline) ||
    bb_die "cannot resolve fixture $spec (fix: $fixtures_tool resolve '$spec' --offline)"
  "${verify[@]}" "$path" >&2 || bb_die "fixture $path failed verification (fix: rm '$path' and rerun)"
  summary+=("fixture $spec: $path")
  fixtures_json+="${fixtures_json:+, }{\"spec\": $(bb_json_str "$spec"), \"path\": $(bb_json_str "$path")}"
done
if [[ -n "$model" ]]; then
  if [[ -f "$model" ]]; then
    bb_run "${verify[@]}" "$model"
    model_path=$model
  elif [[ $dry == 1 ]]; then
    bb_run "$fixtures_tool" resolve "$model"
    model_path="<downloaded $model>"
  else
    # Not a file: a manifest id or hf: spec, downloaded (network) and verified by bitnet-fixtures.
    bb_log "fetching $model (network)"
    model_path=$("$fixtures_tool" resolve "$model") ||
      bb_die "cannot get model $model (offline? wrong id? see: $fixtures_tool list)"
  fi
  summary+=("real model: $model_path")
fi

step "4/6 peer (llama.cpp / bitnet.cpp)"
peer="skipped (--skip-cpp)"
if [[ $skip_cpp == 0 ]]; then
  if [[ $dry == 1 ]]; then
    bb_run "$bin/bitnet-compare" find
    peer="(dry run)"
  elif [[ -x "$bin/bitnet-compare" ]]; then
    if peer_out=$("$bin/bitnet-compare" find 2>&1); then
      peer=$(printf '%s\n' "$peer_out" | head -n 3 | tr '\n' ' ')
    else
      peer="not found (optional: set LLAMA_CPP_DIR or BITNET_CPP_DIR to a build to compare with)"
    fi
  else
    peer="bitnet-compare not built"
  fi
fi
summary+=("peer: $peer")

step "5/6 configuration record"
config_json=$results/benchmark-config.json
if [[ $dry == 1 ]]; then
  bb_log "would write $config_json"
else
  mkdir -p "$results"
  cat >"$config_json" <<EOF
{
  "date": $(bb_json_str "$(bb_stamp)"),
  "commit": $(bb_json_str "$(bb_commit)"),
  "machine_key": $(bb_json_str "$(bb_machine_key)"),
  "cpu_model": $(bb_json_str "$(bb_cpu_model)"),
  "cpus": $(bb_core_count),
  "cpu_flags": $(bb_json_str "$(bb_cpu_flags)"),
  "compiler": $(bb_json_str "$(c++ --version 2>/dev/null | head -n 1)"),
  "build_dir": $(bb_json_str "$root/build/release"),
  "suite": $(bb_json_str "$bin/bitnet_benches"),
  "fixtures": [${fixtures_json}],
  "real_model": $(bb_json_str "$model_path"),
  "peer": $(bb_json_str "$peer"),
  "cache": $(bb_json_str "${BITNET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bitnet-bench}")
}
EOF
  summary+=("config: $config_json")
fi

step "6/6 summary"
for s in "${summary[@]}"; do printf '  %s\n' "$s" >&2; done

[[ $run == 1 ]] || { bb_log "setup done (--no-run: suite not run)"; exit 0; }

step "running the benchmark suite"
out=$results/bench-$(bb_stamp).json
cmd=("$bin/bitnet_benches" "--benchmark_out=$out" --benchmark_out_format=json)
if [[ -n "$model_path" ]]; then
  for spec in "${fixture_specs[@]}" "$model_path"; do cmd+=("--bitnet_model=$spec"); done
fi
cmd+=("${suite_args[@]}")
bb_run "${cmd[@]}"
if [[ $dry == 0 ]]; then
  ln -sfn "$(basename "$out")" "$results/latest.json"
  bb_log "results: $out (also benchmark-results/latest.json); compare two runs with: $bin/bench-diff OLD.json NEW.json"
fi
