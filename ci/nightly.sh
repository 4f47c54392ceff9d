#!/usr/bin/env bash
# Nightly benchmark pipeline (docs/ci.md): Release build, the suite with repetitions, random
# interleaving and pinned threads, the peer comparison when a peer is configured, a bench-diff
# against this machine's baseline history, a confirmation re-run of the flagged benchmarks, and
# a baseline update only when the run is clean. Every artifact lands in one folder.
#
# Exit status: 0 no confirmed regression, 1 confirmed regression (or an errored benchmark),
# 2 setup / build / benchmark failure or bad settings.
set -euo pipefail
BB_NAME=nightly
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$root/ci/lib/common.sh"
# shellcheck source=lib/machine.sh
source "$root/ci/lib/machine.sh"
# shellcheck source=lib/ci-system.sh
source "$root/ci/lib/ci-system.sh"

usage() {
  cat <<'EOF'
usage: ci/nightly.sh [--dry-run] [--out DIR] [--filter REGEX] [--quick] [--skip-build]
                     [--baseline-file FILE] [--no-baseline-update] [--no-confirm]

  --dry-run             print every action (build, runs, diffs, baseline update), do nothing
  --out DIR             artifact folder (default benchmark-results/nightly/<UTC stamp>)
  --filter REGEX        --benchmark_filter for the suite (env BITNET_FILTER)
  --quick               run the suite's --bitnet_quick subset (PR smoke)
  --skip-build          use the existing build (env BITNET_BUILD_DIR, default build/release)
  --baseline-file FILE  diff against FILE instead of this machine's history; never updates it
  --no-baseline-update  never store this run as a baseline
  --no-confirm          fail on the first diff, without re-running the flagged benchmarks

Environment knobs (defaults in brackets):
  BITNET_REPETITIONS [9]       repetitions per benchmark (>= 9: the U test needs them)
  BITNET_FILTER []             --benchmark_filter regex (empty: the whole default suite)
  BITNET_THREADS [all CPUs]    fixed thread count (--bitnet_threads) and CPUs pinned (taskset)
  BITNET_SEED [1]              seed of every random input; BITNET_DETERMINISTIC=1 is always set
  BITNET_MIN_TIME []           --benchmark_min_time in seconds (bare number, GB 1.7.1)
  BITNET_ALPHA [0.05]          significance level of the U test
  BITNET_THRESHOLD_PCT [5]     smallest |change| of the median that can be flagged
  BITNET_DIFF_CONFIG [ci/lib/bench-diff.json]  per-family rules for bench-diff
  BITNET_BASELINE_ROOT [~/.cache/bitnet-bench/baselines]  history, one folder per machine key
  BITNET_HISTORY_DEPTH [5]     newest baseline runs pooled by bench-diff
  BITNET_HISTORY_KEEP [20]     baseline runs kept per machine
  BITNET_GGUF []               also benchmark this real model (next to the synthetic defaults)
  BITNET_SYNTHETIC_MODELS [synthetic:2b4t:tq2_0@1 synthetic:2b4t:i2_s@1]  used with BITNET_GGUF
  BITNET_BUILD_DIR [build/release]   where bin/bitnet_benches and bin/bench-diff are
  BITNET_BENCH_BIN [<build>/bin/bitnet_benches]   the suite binary
  BITNET_BENCH_ARGS []         extra arguments for the suite (word-split)
  LLAMA_CPP_DIR / BITNET_CPP_DIR  a peer build: ci/compare.sh runs when one is set, on
                               BITNET_COMPARE_MODEL (default BITNET_GGUF, else the synthetic
                               TQ2_0 model) with BITNET_COMPARE_ROUNDS [5] interleaved rounds,
                               and bitnet-compare crossval on BITNET_CROSSVAL_MODEL [the tiny
                               TQ2_0 test model] (below threshold: the night fails)
EOF
}

dry=0 quick=0 skip_build=0 update=1 confirm=1 out="" baseline_file=""
filter=${BITNET_FILTER:-}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --filter) filter=${2?--filter needs a regex}; shift ;;
    --quick) quick=1 ;;
    --skip-build) skip_build=1 ;;
    --baseline-file) baseline_file=${2:?--baseline-file needs a file}; shift ;;
    --no-baseline-update) update=0 ;;
    --no-confirm) confirm=0 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; bb_die "unknown argument '$1'" ;;
  esac
  shift
done
BB_DRY_RUN=$dry

# --- settings --------------------------------------------------------------------------------
reps=${BITNET_REPETITIONS:-9}
threads=${BITNET_THREADS:-$(bb_core_count)}
seed=${BITNET_SEED:-1}
min_time=${BITNET_MIN_TIME:-}
alpha=${BITNET_ALPHA:-0.05}
threshold=${BITNET_THRESHOLD_PCT:-5}
config=${BITNET_DIFF_CONFIG-$root/ci/lib/bench-diff.json}
baseline_root=${BITNET_BASELINE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/bitnet-bench/baselines}
history_depth=${BITNET_HISTORY_DEPTH:-5}
history_keep=${BITNET_HISTORY_KEEP:-20}
build_dir=${BITNET_BUILD_DIR:-$root/build/release}
bench_bin=${BITNET_BENCH_BIN:-$build_dir/bin/bitnet_benches}
diff_bin=${BITNET_DIFF_BIN:-$build_dir/bin/bench-diff}
report_bin=${BITNET_REPORT_BIN:-$build_dir/bin/bench-report}
[[ "$reps" =~ ^[0-9]+$ && "$reps" -ge 9 ]] ||
  bb_die "BITNET_REPETITIONS='$reps': need a whole number >= 9 (fewer cannot support the U test on a noisy machine)"
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || bb_die "BITNET_THREADS='$threads': need a whole number >= 1"
[[ "$seed" =~ ^[0-9]+$ ]] || bb_die "BITNET_SEED='$seed': need a non-negative integer"
[[ -z "$min_time" || "$min_time" =~ ^[0-9]*\.?[0-9]+$ ]] ||
  bb_die "BITNET_MIN_TIME='$min_time': need a bare number of seconds (e.g. 0.5)"
[[ "$history_keep" =~ ^[1-9][0-9]*$ ]] || bb_die "BITNET_HISTORY_KEEP='$history_keep': need >= 1"
[[ -z "$config" || -f "$config" ]] || bb_die "BITNET_DIFF_CONFIG='$config': no such file"
[[ -z "$baseline_file" || -f "$baseline_file" || $dry == 1 ]] ||
  bb_die "--baseline-file '$baseline_file': no such file"

stamp=$(bb_stamp)
commit=$(bb_commit)
key=$(bb_machine_key)
ci=$(bb_ci_system)
out=${out:-$root/benchmark-results/nightly/$stamp}
baseline_dir=$baseline_root/$key
export BITNET_DETERMINISTIC=1 BITNET_SEED=$seed

bb_log "machine $key ($(bb_cpu_model), $(bb_core_count) CPUs; ISA: $(bb_cpu_flags)); CI: $ci"
bb_log "commit $commit; $reps repetitions, $threads thread(s), seed $seed; artifacts in $out"

if [[ $dry == 0 ]]; then
  mkdir -p "$out/logs"
  cat >"$out/settings.json" <<EOF
{
  "date": $(bb_json_str "$stamp"), "commit": $(bb_json_str "$commit"),
  "machine_key": $(bb_json_str "$key"), "cpu_model": $(bb_json_str "$(bb_cpu_model)"),
  "cpus": $(bb_core_count), "cpu_flags": $(bb_json_str "$(bb_cpu_flags)"),
  "ci_system": $(bb_json_str "$ci"),
  "BITNET_DETERMINISTIC": 1, "BITNET_SEED": $seed, "threads": $threads, "repetitions": $reps,
  "min_time": $(bb_json_str "$min_time"), "filter": $(bb_json_str "$filter"), "quick": $quick,
  "alpha": $alpha, "threshold_pct": $threshold, "diff_config": $(bb_json_str "$config"),
  "real_model": $(bb_json_str "${BITNET_GGUF:-}"),
  "baseline": $(bb_json_str "${baseline_file:-$baseline_dir}")
}
EOF
fi

# --- build -----------------------------------------------------------------------------------
if [[ $skip_build == 0 ]]; then
  cd "$root"
  [[ -f build/release/build.ninja ]] || bb_run cmake --preset release
  bb_run cmake --build --preset release --target bitnet_benches bench-diff bench-report
fi
if [[ $dry == 0 ]]; then
  [[ -x "$bench_bin" ]] || bb_die "no suite binary at $bench_bin (build it: cmake --build --preset release --target bitnet_benches)"
  [[ -x "$diff_bin" ]] || bb_die "no bench-diff at $diff_bin (build it: cmake --build --preset release --target bench-diff)"
fi

# --- benchmark runs --------------------------------------------------------------------------
# run_suite JSON LOG FILTER: one suite run. Settings are recorded in the JSON context too.
run_suite() {
  local json=$1 log=$2 run_filter=$3 cmd=()
  if command -v taskset >/dev/null && [[ $threads -le $(bb_core_count) ]]; then
    cmd+=(taskset -c "0-$((threads - 1))")  # pinned to the first N CPUs
  fi
  cmd+=(env BITNET_DETERMINISTIC=1 "BITNET_SEED=$seed" "$bench_bin"
    "--benchmark_repetitions=$reps" --benchmark_enable_random_interleaving=true
    --benchmark_report_aggregates_only=false --benchmark_display_aggregates_only=true
    "--benchmark_out=$json" --benchmark_out_format=json "--bitnet_threads=$threads"
    "--benchmark_context=nightly_machine_key=$key" "--benchmark_context=nightly_ci=$ci"
    "--benchmark_context=nightly_seed=$seed" "--benchmark_context=nightly_deterministic=1"
    "--benchmark_context=nightly_threads=$threads" "--benchmark_context=nightly_commit=$commit")
  [[ $quick == 1 ]] && cmd+=(--bitnet_quick)
  [[ -n "$run_filter" ]] && cmd+=("--benchmark_filter=$run_filter")
  [[ -n "$min_time" ]] && cmd+=("--benchmark_min_time=$min_time")
  if [[ -n "${BITNET_GGUF:-}" ]]; then
    local m
    for m in ${BITNET_SYNTHETIC_MODELS:-synthetic:2b4t:tq2_0@1 synthetic:2b4t:i2_s@1} "$BITNET_GGUF"; do
      cmd+=("--bitnet_model=$m")
    done
  fi
  # shellcheck disable=SC2206
  [[ -n "${BITNET_BENCH_ARGS:-}" ]] && cmd+=($BITNET_BENCH_ARGS)
  if [[ $dry == 1 ]]; then
    bb_run "${cmd[@]}"
    return 0
  fi
  bb_log "running: $(bb_quote "${cmd[@]}") > $log"
  if ! "${cmd[@]}" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    bb_die "the benchmark suite failed (full log: $log)"
  fi
  [[ -s "$json" ]] || bb_die "the suite wrote no results to $json (log: $log)"
}

run_suite "$out/bench.json" "$out/logs/bench.log" "$filter"

# --- peer comparison (ci/compare.sh, owned by the shim; docs/compare.md) ---------------------
if [[ -n "${LLAMA_CPP_DIR:-}${BITNET_CPP_DIR:-}" ]]; then
  if [[ ! -x "$root/ci/compare.sh" ]]; then
    bb_warn "a peer is configured but ci/compare.sh is missing: peer comparison skipped"
  else
    # The peer needs a GGUF file: the real model, else the synthetic TQ2_0 default (cached).
    model=${BITNET_COMPARE_MODEL:-${BITNET_GGUF:-}}
    spec=synthetic:2b4t:tq2_0@1
    if [[ -z "$model" && $dry == 1 ]]; then
      bb_run "$build_dir/bin/bitnet-fixtures" resolve "$spec" --offline
      model="<path of $spec>"
    elif [[ -z "$model" ]]; then
      model=$("$build_dir/bin/bitnet-fixtures" resolve "$spec" --offline 2>>"$out/logs/compare.log") ||
        model=""
    fi
    cmd=("$root/ci/compare.sh" -m "$model" -t "$threads" -r "${BITNET_COMPARE_ROUNDS:-5}"
      --build-dir "$build_dir" --out-dir "$out/compare")
    if [[ $dry == 1 ]]; then
      bb_run "${cmd[@]}"
    elif [[ -z "$model" ]]; then
      bb_warn "peer comparison skipped: cannot resolve $spec (log: $out/logs/compare.log)"
    elif ! "${cmd[@]}" >>"$out/logs/compare.log" 2>&1; then
      bb_warn "peer comparison failed (not a regression; log: $out/logs/compare.log)"
    else
      bb_log "peer comparison: $out/compare (table in $out/logs/compare.log)"
    fi
  fi
fi

# --- cross-validation against the peer (bitnet-compare crossval; docs/crossval.md) ------------
# Greedy agreement plus llama.cpp's KL-divergence check both ways. A result below the thresholds
# (exit 4) is a correctness regression and fails the night; a peer that cannot run only warns.
crossval_verdict=""
if [[ -n "${LLAMA_CPP_DIR:-}${BITNET_CPP_DIR:-}" ]]; then
  cv_model=${BITNET_CROSSVAL_MODEL:-$root/tests/data/tiny-bitnet-A-TQ2_0.gguf}
  cmd=("$build_dir/bin/bitnet-compare" crossval -m "$cv_model" -t 1
    --text "$root/tests/data/kld/text.txt" --work-dir "$out/crossval" -o "$out/crossval.json")
  if [[ $dry == 1 ]]; then
    bb_run "${cmd[@]}"
  else
    rc=0
    "${cmd[@]}" >>"$out/logs/crossval.log" 2>&1 || rc=$?
    if [[ $rc == 0 ]]; then
      bb_log "crossval: pass ($out/crossval.json)"
    elif [[ $rc == 4 ]]; then
      crossval_verdict="crossval below threshold on $cv_model (see $out/logs/crossval.log)"
      bb_warn "$crossval_verdict"
    else
      bb_warn "crossval could not run (exit $rc; not a regression; log: $out/logs/crossval.log)"
    fi
  fi
fi

# --- diff against the baseline ---------------------------------------------------------------
baseline=""
if [[ -n "$baseline_file" ]]; then
  baseline=$baseline_file
  update=0
elif compgen -G "$baseline_dir/*.json" >/dev/null; then
  baseline=$baseline_dir
fi

# run_diff CONTENDER PREFIX [FILTER]: bench-diff with every artifact; returns its exit status.
run_diff() {
  local contender=$1 prefix=$2 diff_filter=${3:-} cmd
  cmd=("$diff_bin" "$baseline" "$contender" --history "$history_depth" --alpha "$alpha"
    --threshold "$threshold" --markdown "$prefix.md" --json "$prefix.json" --svg "$prefix.svg"
    --junit "$prefix.junit.xml" --metrics "$prefix.metrics.txt" --flagged-filter "$prefix.flagged")
  [[ -n "$config" ]] && cmd+=(--config "$config")
  [[ -n "$diff_filter" ]] && cmd+=(--filter "$diff_filter")
  if [[ $dry == 1 ]]; then
    bb_run "${cmd[@]}"
    return 0
  fi
  local rc=0
  "${cmd[@]}" --color never >"$prefix.txt" 2>"$prefix.err" || rc=$?
  cat "$prefix.txt"
  [[ $rc -le 1 ]] || { cat "$prefix.err" >&2; bb_die "bench-diff failed (status $rc)"; }
  [[ -s "$prefix.err" ]] || rm -f "$prefix.err"
  return $rc
}

# Errored benchmarks recorded in a bench-diff JSON report ("errored": N in "counts").
errored_in() { sed -n 's/^ *"errored": \([0-9]*\).*/\1/p' "$1" | head -n 1; }

# clean: the first diff passed (or there was nothing to diff against). Only a clean run may
# become a baseline: a run whose regression the re-run did not confirm still passes, but its
# samples stay out of the history.
status=0 clean=1 verdict="" report_md=""
if [[ -z "$baseline" ]]; then
  verdict="no baseline yet for $key: this run becomes the first baseline"
  bb_log "$verdict"
else
  rc=0
  run_diff "$out/bench.json" "$out/diff" || rc=$?
  report_md=$out/diff.md
  if [[ $dry == 1 ]]; then
    bb_log "if benchmarks are flagged, they are re-run once (--benchmark_filter from $out/diff.flagged) and diffed again into $out/confirm-diff.*"
    verdict="dry run"
  elif [[ $rc == 0 ]]; then
    verdict="no regression"
  elif [[ $confirm == 1 && -s "$out/diff.flagged" ]]; then
    clean=0
    flagged=$(cat "$out/diff.flagged")
    bb_log "regressions flagged ($flagged); re-running them once to confirm"
    run_suite "$out/confirm.json" "$out/logs/confirm.log" "$flagged"
    crc=0
    run_diff "$out/confirm.json" "$out/confirm-diff" "$flagged" || crc=$?
    report_md=$out/confirm-diff.md
    errors=$(errored_in "$out/diff.json")
    if [[ $crc == 0 && "${errors:-0}" == 0 ]]; then
      verdict="regressions flagged by the first run were not confirmed by the re-run (noise)"
    else
      status=1
      verdict="regression confirmed by the re-run"
      [[ "${errors:-0}" != 0 ]] && verdict+="; $errors errored benchmark(s)"
    fi
  else
    status=1 clean=0
    errors=$(errored_in "$out/diff.json")
    verdict="${errors:-0} errored benchmark(s); $(wc -l <"$out/diff.flagged") regression line(s) (see diff.md)"
  fi
fi

if [[ -n "$crossval_verdict" ]]; then
  status=1 clean=0
  verdict="${verdict:+$verdict; }$crossval_verdict"
fi

# --- HTML report beside the JSON (docs/report.md); a report failure never fails the run ----
# Written before the baseline update, so its diff is against the same baseline as bench-diff's;
# bench-report adds this run to the end of the history chart itself.
report_cmd=("$report_bin" "$out/bench.json")
[[ -f "$out/compare/merged.json" ]] && report_cmd+=("$out/compare/merged.json")
compgen -G "$baseline_dir/*.json" >/dev/null && report_cmd+=(--history "$baseline_dir")
[[ -n "$baseline" ]] && report_cmd+=(--diff "$baseline")
[[ -n "$config" ]] && report_cmd+=(--config "$config")
report_cmd+=(--history-depth "$history_depth" --alpha "$alpha" --threshold "$threshold"
  -o "$out/report.html")
if [[ $dry == 1 ]]; then
  bb_run "${report_cmd[@]}"
elif [[ ! -x "$report_bin" ]]; then
  bb_warn "no bench-report at $report_bin: HTML report skipped (cmake --build --preset release --target bench-report)"
elif ! "${report_cmd[@]}" 2>"$out/logs/report.log"; then
  bb_warn "bench-report failed (not a regression; log: $out/logs/report.log)"
else
  bb_log "report: $out/report.html"
fi

# --- baseline update (clean runs only) -------------------------------------------------------
if [[ $update == 1 && $status == 0 && $clean == 1 ]]; then
  dest=$baseline_dir/$stamp-$commit.json
  [[ -e "$dest" ]] && dest=$baseline_dir/$stamp-$commit-$$.json
  if [[ $dry == 1 ]]; then
    bb_run mkdir -p "$baseline_dir"
    bb_run cp "$out/bench.json" "$dest"
    bb_log "would keep the newest $history_keep runs in $baseline_dir"
  else
    mkdir -p "$baseline_dir"
    cp "$out/bench.json" "$dest"
    # File names start with the UTC stamp: name order is age order.
    mapfile -t old < <(find "$baseline_dir" -maxdepth 1 -name '*.json' | sort | head -n "-$history_keep")
    [[ ${#old[@]} -eq 0 ]] || rm -f -- "${old[@]}"
    bb_log "baseline stored: $dest"
  fi
elif [[ $update == 1 ]]; then
  bb_log "baseline not updated (run not clean: regressions were flagged)"
fi

# --- publish ---------------------------------------------------------------------------------
if [[ $dry == 0 ]]; then
  {
    echo "## Nightly benchmarks: $( ((status == 0)) && echo PASS || echo FAIL)"
    echo
    echo "$verdict."
    echo
    echo "Machine \`$key\`, commit \`$commit\`, $reps repetitions, $threads thread(s), seed $seed" \
      "(BITNET_DETERMINISTIC=1), CI: $ci. Artifacts: \`$out\`."
    echo
    [[ -n "$report_md" && -f "$report_md" ]] && cat "$report_md"
    if [[ "$report_md" == "$out/confirm-diff.md" ]]; then
      printf '\n<details><summary>First run: the full diff that flagged them</summary>\n\n'
      cat "$out/diff.md"
      printf '\n</details>\n'
    fi
  } >"$out/summary.md"
  bb_publish_summary "$out/summary.md"
  bb_publish_outputs "status=$status" "artifacts=$out"
  bb_log "artifacts: $(cd "$out" && find . -type f | sort | tr '\n' ' ')"
fi
bb_log "result: $( ((status == 0)) && echo PASS || echo FAIL) - $verdict"
exit "$status"
