#!/usr/bin/env bash
# Checks every component the benchmarks need and prints OK / FAIL (or WARN for optional parts)
# per item, with the exact command that fixes each failure. Exit 1 if anything FAILed.
set -uo pipefail
BB_NAME=validate
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../ci/lib/common.sh
source "$root/ci/lib/common.sh"
# shellcheck source=../ci/lib/machine.sh
source "$root/ci/lib/machine.sh"

all_items=compiler,packages,build,cpu,machine,tuning,probe,fixtures,bench,peer
usage() {
  cat <<EOF
usage: tools/validate-benchmark-setup.sh [--only ITEMS] [--build-dir DIR] [--require-peer]

  --only ITEMS     comma-separated subset of: $all_items (default: all)
  --build-dir DIR  build to check (default build/release)
  --require-peer   a missing llama.cpp / bitnet.cpp peer is a FAIL (default: WARN)

Environment: BITNET_VALIDATE_FIXTURES (fixture specs or .gguf paths to verify; default the
suite's synthetic defaults), BITNET_VALIDATE_BENCH_FILTER (--benchmark_filter for the quick
end-to-end run), BITNET_BENCH_BIN (suite binary), BITNET_CACHE (fixture cache).
Exit: 0 every checked item OK (WARN allowed), 1 at least one FAIL, 2 usage error.
EOF
}

only=$all_items build_dir=$root/build/release require_peer=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only=${2:?--only needs a list}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
    --require-peer) require_peer=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; bb_die "unknown argument '$1'" ;;
  esac
  shift
done
IFS=, read -r -a items <<<"$only"
for i in "${items[@]}"; do
  [[ ",$all_items," == *",$i,"* ]] || bb_die "--only: unknown item '$i' (valid: $all_items)"
done
bin=$build_dir/bin
bench_bin=${BITNET_BENCH_BIN:-$bin/bitnet_benches}
if [[ "$(cd "$build_dir" 2>/dev/null && pwd)" == "$root/build/release" ]]; then
  build_cmd="cmake --preset release && cmake --build --preset release"
else
  build_cmd="cmake --build $build_dir"
fi
failures=0

ok() { printf 'OK    %s\n' "$1"; }
warn() { printf 'WARN  %s\n      fix: %s\n' "$1" "$2"; }
fail() {
  printf 'FAIL  %s\n      fix: %s\n' "$1" "$2"
  failures=$((failures + 1))
}
wanted() { [[ ",$only," == *",$1,"* ]]; }
# version_ge A B: A >= B for dotted versions.
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

if wanted compiler; then
  if cxx=$(c++ --version 2>/dev/null | head -n 1) && [[ -n "$cxx" ]]; then ok "compiler: $cxx"
  else fail "compiler: no c++ on PATH" "$root/ci/install-deps.sh"; fi
  cmake_v=$(cmake --version 2>/dev/null | sed -n 's/^cmake version \([0-9.]*\).*/\1/p')
  if [[ -n "$cmake_v" ]] && version_ge "$cmake_v" 3.25; then ok "cmake: $cmake_v (>= 3.25)"
  else fail "cmake: ${cmake_v:-not found} (need >= 3.25)" "$root/ci/install-deps.sh"; fi
  if ninja_v=$(ninja --version 2>/dev/null); then ok "ninja: $ninja_v"
  else fail "ninja: not found" "$root/ci/install-deps.sh"; fi
fi

if wanted packages; then
  if deps=$("$root/ci/install-deps.sh" --dry-run 2>&1) && [[ "$deps" != *"missing:"* ]]; then
    ok "packages: ${deps#install-deps: }"
  else
    fail "packages: $(printf '%s' "$deps" | grep -m1 'missing:' || printf '%s' "$deps" | head -n 1)" \
      "$root/ci/install-deps.sh"
  fi
fi

if wanted build; then
  for exe in bitnet_benches bench-diff bitnet-fixtures bitnet-kernels bitnet-compare; do
    if [[ -x "$bin/$exe" ]]; then ok "build: $bin/$exe"
    else fail "build: $bin/$exe missing" "$build_cmd --target $exe"; fi
  done
fi

if wanted cpu; then
  ok "cpu: $(bb_cpu_model), $(bb_core_count) CPUs, ISA flags: $(bb_cpu_flags)"
  if [[ ! -x "$bin/bitnet-kernels" ]]; then
    fail "cpu: cannot ask the dispatcher (no $bin/bitnet-kernels)" "$build_cmd --target bitnet-kernels"
  elif ! kjson=$("$bin/bitnet-kernels" list --json 2>/dev/null); then
    fail "cpu: bitnet-kernels list --json failed: $("$bin/bitnet-kernels" list --json 2>&1 >/dev/null | head -n 2)" \
      "$bin/bitnet-kernels list --json   # read the error; rebuild with: $build_cmd"
  elif ! isa=$(printf '%s' "$kjson" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sel = [k["name"] for k in d["kernels"] if k.get("selected_gemv") or k.get("selected_gemm")]
print("%s (pin: %s); %d kernels selected: %s" % (d["best_isa"], d.get("isa_pin") or "none",
      len(sel), " ".join(sel)))' 2>&1); then
    fail "cpu: bitnet-kernels list --json is not the expected JSON ($(printf '%s' "$isa" | tail -n 1))" \
      "$build_cmd --target bitnet-kernels"
  else
    ok "cpu: dispatch best ISA $isa"
  fi
fi

if wanted machine; then
  # Load: other work on the cores makes every timing a measure of the scheduler. Saturated (1-min
  # load >= CPUs) is a FAIL, a quarter of the CPUs busy a WARN.
  cpus=$(bb_core_count)
  read -r load1 load5 _ </proc/loadavg
  if awk -v l="$load1" -v c="$cpus" 'BEGIN { exit !(l >= c) }'; then
    fail "machine: load average $load1 (5 min: $load5) on $cpus CPUs: the CPUs are saturated, timings would measure the other work" \
      "wait until 'uptime' shows a 1-minute load well below $cpus (stop other builds/benchmarks), then rerun"
  elif awk -v l="$load1" -v c="$cpus" 'BEGIN { exit !(l >= 0.25 * c) }'; then
    warn "machine: load average $load1 (5 min: $load5) on $cpus CPUs: expect noisy timings" \
      "run when the machine is idle; compare only interleaved repetitions (--benchmark_enable_random_interleaving=true)"
  else
    ok "machine: load average $load1 (5 min: $load5) on $cpus CPUs"
  fi
  # Frequency scaling, where the OS shows it (VMs usually do not).
  govs=$(cat /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor 2>/dev/null | sort -u | tr '\n' ' ')
  if [[ -z "$govs" ]]; then
    ok "machine: frequency governor not visible (no cpufreq in sysfs, e.g. a VM): the host decides"
  elif [[ "$govs" == "performance " ]]; then
    ok "machine: frequency governor performance"
  else
    warn "machine: frequency governor ${govs% } (clock varies with load)" \
      "sudo cpupower frequency-set -g performance"
  fi
  if [[ -r /sys/devices/system/cpu/intel_pstate/no_turbo ]]; then
    [[ "$(cat /sys/devices/system/cpu/intel_pstate/no_turbo)" == 1 ]] && ok "machine: turbo off (intel_pstate)" ||
      warn "machine: turbo on (intel_pstate): clocks depend on temperature and load" \
        "echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo"
  elif [[ -r /sys/devices/system/cpu/cpufreq/boost ]]; then
    [[ "$(cat /sys/devices/system/cpu/cpufreq/boost)" == 0 ]] && ok "machine: boost off (cpufreq)" ||
      warn "machine: boost on (cpufreq): clocks depend on temperature and load" \
        "echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost"
  else
    ok "machine: turbo/boost not visible"
  fi
fi

if wanted tuning; then
  if [[ ! -x "$bin/bitnet-kernels" ]]; then
    fail "tuning: no $bin/bitnet-kernels to read the dispatch table" "$build_cmd --target bitnet-kernels"
  elif ! disp=$("$bin/bitnet-kernels" list --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["dispatch"])' 2>/dev/null); then
    fail "tuning: bitnet-kernels list --json failed" "$build_cmd --target bitnet-kernels"
  else
    case "$disp" in
      "measured table"*) ok "tuning: $disp" ;;
      *"BITNET_TUNE=off"*) warn "tuning: $disp (a documented static order, not measured on this CPU)" "unset BITNET_TUNE" ;;
      *stale*) warn "tuning: $disp (dispatch re-measures on first use, inside someone's run)" "$bin/bitnet-kernels tune" ;;
      *) warn "tuning: $disp" "$bin/bitnet-kernels tune   # on an idle machine" ;;
    esac
  fi
fi

if wanted probe; then
  # The cached machine limits the suite compares rows with: each cache level must read at least
  # as fast as the one below it, or the roofline fractions are wrong.
  cache_root=${BITNET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bitnet-bench}
  probes=("$cache_root"/probe/*.json)
  if [[ ! -e "${probes[0]}" ]]; then
    warn "probe: no cached machine limits in $cache_root/probe (measured at the first suite run)" \
      "$bench_bin --bitnet_probe   # on an idle machine"
  else
    for f in "${probes[@]}"; do
      if verdict=$(python3 - "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = d.get("limits", d)
bad = []
for t in sorted({k.split("threads:")[1] for k in v if "threads:" in k}):
    get = lambda n: v.get("%s/threads:%s" % (n, t))
    l2, l3, dram = get("l2_read"), get("l3_read"), get("dram_read")
    if None not in (l2, l3) and l2 < l3: bad.append("threads %s: l2_read %.3g < l3_read %.3g" % (t, l2, l3))
    if None not in (l3, dram) and l3 < dram: bad.append("threads %s: l3_read %.3g < dram_read %.3g" % (t, l3, dram))
print("; ".join(bad) if bad else "levels ordered (l2 >= l3 >= dram read bandwidth)")
sys.exit(1 if bad else 0)
PY
      ); then ok "probe: $f: $verdict"
      else
        fail "probe: $f: $verdict: the bandwidth limits are not ordered, so bw_frac is wrong" \
          "$bench_bin --bitnet_probe   # re-measure on an idle machine"
      fi
    done
  fi
fi

if wanted fixtures; then
  # shellcheck disable=SC2206  # a space-separated list on purpose
  specs=(${BITNET_VALIDATE_FIXTURES:-synthetic:2b4t:tq2_0@1 synthetic:2b4t:i2_s@1})
  if [[ ! -x "$bin/bitnet-fixtures" ]]; then
    fail "fixtures: no $bin/bitnet-fixtures to check them" "$build_cmd --target bitnet-fixtures"
  else
    for spec in "${specs[@]}"; do
      if [[ "$spec" == *.gguf || -e "$spec" ]]; then
        path=$spec
        [[ -f "$path" ]] || { fail "fixtures: $path does not exist" \
          "$bin/bitnet-fixtures resolve '$path'   # or restore the file"; continue; }
      elif ! path=$("$bin/bitnet-fixtures" resolve "$spec" --offline --no-generate 2>/dev/null); then
        fail "fixtures: $spec is not in the cache" "$bin/bitnet-fixtures resolve '$spec' --offline"
        continue
      fi
      if vout=$("$bin/bitnet-fixtures" verify "$path" 2>&1); then ok "fixtures: $spec verified ($path)"
      else
        fail "fixtures: $spec ($path) failed verification: $(printf '%s' "$vout" | tail -n 1)" \
          "rm -f '$path' && $bin/bitnet-fixtures resolve '$spec' --offline"
      fi
    done
  fi
fi

if wanted bench; then
  if [[ ! -x "$bench_bin" ]]; then
    fail "bench: no suite binary $bench_bin" "$build_cmd --target bitnet_benches"
  elif [[ ! -x "$bin/bench-diff" ]]; then
    fail "bench: no $bin/bench-diff to check the JSON with" "$build_cmd --target bench-diff"
  else
    tmp=$(mktemp -d)
    cmd=("$bench_bin" --bitnet_quick --benchmark_format=json)
    [[ -n "${BITNET_VALIDATE_BENCH_FILTER:-}" ]] && cmd+=("--benchmark_filter=$BITNET_VALIDATE_BENCH_FILTER")
    if ! timeout 600 "${cmd[@]}" >"$tmp/quick.json" 2>"$tmp/quick.err"; then
      fail "bench: $(bb_quote "${cmd[@]}") failed: $(tail -n 2 "$tmp/quick.err" | tr '\n' ' ')" \
        "$(bb_quote "${cmd[@]}")   # read its error output"
    elif ! grep -q '"run_type"' "$tmp/quick.json"; then
      fail "bench: the quick run produced no benchmark rows" "$(bb_quote "${cmd[@]}") --benchmark_list_tests"
    else
      # Reading the file with bench-diff proves it is valid Google Benchmark JSON; comparing it
      # with itself exits 1 only if a benchmark errored.
      rc=0
      "$bin/bench-diff" "$tmp/quick.json" "$tmp/quick.json" --format none 2>"$tmp/diff.err" || rc=$?
      case $rc in
        0) ok "bench: quick run wrote valid JSON ($(grep -c '"run_type": "iteration"' "$tmp/quick.json") rows)" ;;
        1) fail "bench: the quick run has errored benchmarks" \
             "$(bb_quote "${cmd[@]}") --benchmark_format=console   # shows ERROR OCCURRED lines" ;;
        *) fail "bench: invalid JSON: $(head -n 1 "$tmp/diff.err")" "$(bb_quote "${cmd[@]}")" ;;
      esac
    fi
    rm -rf "$tmp"
  fi
fi

if wanted peer; then
  peer_fix="export LLAMA_CPP_DIR=/path/to/llama.cpp (or BITNET_CPP_DIR=/path/to/BitNet) with a built llama-bench"
  if [[ ! -x "$bin/bitnet-compare" ]]; then
    fail "peer: no $bin/bitnet-compare" "$build_cmd --target bitnet-compare"
  elif pout=$("$bin/bitnet-compare" find 2>&1); then
    ok "peer: $(printf '%s' "$pout" | head -n 1)"
  elif [[ $require_peer == 1 ]]; then
    fail "peer: no llama.cpp / bitnet.cpp build found" "$peer_fix"
  else
    warn "peer: no llama.cpp / bitnet.cpp build found (optional: only the comparison needs it)" "$peer_fix"
  fi
fi

if [[ $failures -gt 0 ]]; then
  printf '\n%d check(s) FAILED\n' "$failures"
  exit 1
fi
printf '\nall checks passed\n'
