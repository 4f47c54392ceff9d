#!/usr/bin/env bash
# Developer tuning loop: rebuild, rerun the benchmarks matching FILTER with enough repetitions,
# and diff against the previous run of the same filter (kept automatically). Edit, run, read
# the verdict table, repeat. Exit status is bench-diff's: 0 no regression, 1 regression, 2 error.
set -euo pipefail
BB_NAME=perf-loop
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../ci/lib/common.sh
source "$root/ci/lib/common.sh"
# shellcheck source=../ci/lib/machine.sh
source "$root/ci/lib/machine.sh"

usage() {
  cat <<'EOF'
usage: tools/perf-loop.sh [--reps N] [--no-build] [--reset] [--dry-run] FILTER [-- SUITE_ARGS...]

  FILTER       --benchmark_filter regex, e.g. '^gemv/tq2_0/.*/hot'
  --reps N     repetitions (default $PERF_LOOP_REPS or 9; the U test needs >= 4 per side)
  --no-build   skip the rebuild
  --reset      forget the previous run of this filter (next run starts a new comparison)
  --dry-run    print the actions without running them
  SUITE_ARGS   passed to bitnet_benches (e.g. --bitnet_threads=1 --benchmark_min_time=0.2)

Runs are kept in benchmark-results/perf-loop/<filter>/ (latest.json, previous.json and every
run under runs/). Environment: BITNET_THREADS (default all CPUs, pinned with taskset),
BITNET_SEED (default 1; BITNET_DETERMINISTIC=1 is set), BITNET_BUILD_DIR, BITNET_BENCH_BIN,
BITNET_DIFF_CONFIG (default ci/lib/bench-diff.json), PERF_LOOP_DIR (state folder root).
EOF
}

reps=${PERF_LOOP_REPS:-9} build=1 reset=0 dry=0 filter="" extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps=${2:?--reps needs a number}; shift ;;
    --no-build) build=0 ;;
    --reset) reset=1 ;;
    --dry-run) dry=1 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) usage >&2; bb_die "unknown option '$1'" ;;
    *) [[ -z "$filter" ]] || bb_die "one FILTER only (got '$filter' and '$1')"; filter=$1 ;;
  esac
  shift
done
BB_DRY_RUN=$dry
[[ -n "$filter" ]] || { usage >&2; bb_die "FILTER is required"; }
[[ "$reps" =~ ^[0-9]+$ && "$reps" -ge 4 ]] || bb_die "--reps '$reps': need a whole number >= 4"
threads=${BITNET_THREADS:-$(bb_core_count)}
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || bb_die "BITNET_THREADS='$threads': need a whole number >= 1"
build_dir=${BITNET_BUILD_DIR:-$root/build/release}
bench_bin=${BITNET_BENCH_BIN:-$build_dir/bin/bitnet_benches}
diff_bin=${BITNET_DIFF_BIN:-$build_dir/bin/bench-diff}
config=${BITNET_DIFF_CONFIG-$root/ci/lib/bench-diff.json}

# One folder per filter: the filter made file-name safe, plus a hash so distinct filters never share.
slug=$(printf '%s' "$filter" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-60)
slug=${slug}-$(printf '%s' "$filter" | cksum | cut -d' ' -f1)
state=${PERF_LOOP_DIR:-$root/benchmark-results/perf-loop}/$slug

if [[ $reset == 1 ]]; then
  bb_run rm -f "$state/latest.json" "$state/previous.json"
fi
if [[ $build == 1 ]]; then
  cd "$root"
  [[ -f build/release/build.ninja ]] || bb_run cmake --preset release
  bb_run cmake --build --preset release --target bitnet_benches bench-diff
fi

stamp=$(bb_stamp)
run=$state/runs/$stamp.json
cmd=()
command -v taskset >/dev/null && [[ $threads -le $(bb_core_count) ]] && cmd+=(taskset -c "0-$((threads - 1))")
cmd+=(env BITNET_DETERMINISTIC=1 "BITNET_SEED=${BITNET_SEED:-1}" "$bench_bin"
  "--benchmark_filter=$filter" "--benchmark_repetitions=$reps"
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=false
  --benchmark_display_aggregates_only=true "--benchmark_out=$run" --benchmark_out_format=json
  "--bitnet_threads=$threads" "${extra[@]}")
if [[ $dry == 1 ]]; then
  bb_run "${cmd[@]}"
  bb_log "then: latest.json -> previous.json, the new run -> latest.json, and"
  bb_run "$diff_bin" "$state/previous.json" "$state/latest.json" ${config:+--config "$config"}
  exit 0
fi
[[ -x "$bench_bin" ]] || bb_die "no suite binary at $bench_bin (drop --no-build, or build it)"
[[ -x "$diff_bin" ]] || bb_die "no bench-diff at $diff_bin (drop --no-build, or build it)"
mkdir -p "$state/runs"
bb_log "running $reps repetitions of '$filter' ($threads thread(s))"
if ! "${cmd[@]}" >"$state/runs/$stamp.log" 2>&1; then
  tail -n 30 "$state/runs/$stamp.log" >&2
  bb_die "the suite failed (log: $state/runs/$stamp.log)"
fi
grep -q '"name"' "$run" 2>/dev/null ||
  bb_die "no benchmark matched '$filter' (see bitnet_benches --benchmark_list_tests)"
[[ -f "$state/latest.json" ]] && mv "$state/latest.json" "$state/previous.json"
cp "$run" "$state/latest.json"

if [[ ! -f "$state/previous.json" ]]; then
  bb_log "first run of '$filter' stored in $state/latest.json: change the code and run me again"
  exit 0
fi
rc=0
"$diff_bin" "$state/previous.json" "$state/latest.json" ${config:+--config "$config"} \
  --markdown "$state/diff.md" --json "$state/diff.json" --svg "$state/diff.svg" || rc=$?
bb_log "diff of the last two runs (previous -> latest); report files in $state"
exit "$rc"
