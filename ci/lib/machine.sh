# shellcheck shell=bash
# Facts about the machine, used to key baselines: results from different CPUs never mix.
#   bb_cpu_model    "AMD EPYC 7551 32-Core Processor" (from /proc/cpuinfo, else uname -m); aarch64
#                   (no model name there): "aarch64 implementer 0x41 part 0xd0c"
#   bb_core_count   CPUs this process may use (nproc honours affinity / cgroup limits)
#   bb_machine_key  file-name-safe "<cpu model>-<N>c", e.g. amd-epyc-7551-32-core-processor-2c;
#                   aarch64 adds the features (one part number ships with and without i8mm/SVE):
#                   aarch64-implementer-0x41-part-0xd0c-asimd-asimddp-4c
#   bb_cpu_flags    the ISA flags bitnet cares about that this CPU has (space separated)

bb_cpu_model() {
  local m
  m=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
  if [[ -z "$m" ]]; then
    local impl part
    impl=$(awk -F': *' '/^CPU implementer/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
    part=$(awk -F': *' '/^CPU part/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
    [[ -n "$impl" ]] && m="$(uname -m) implementer $impl part $part"
  fi
  [[ -n "$m" ]] || m=$(uname -m)
  printf '%s\n' "$m"
}

bb_core_count() { nproc 2>/dev/null || getconf _NPROCESSORS_ONLN; }

bb_machine_key() {
  local key
  key=$(bb_cpu_model | tr '[:upper:]' '[:lower:]' | sed -e 's/([^)]*)//g' -e 's/[^a-z0-9]\{1,\}/-/g' \
    -e 's/^-//' -e 's/-$//')
  if [[ "$(uname -m)" == aarch64 ]]; then
    local f
    f=$(bb_cpu_flags | tr ' ' '-')
    [[ -n "$f" ]] && key="$key-$f"
  fi
  printf '%s-%sc\n' "${key:-unknown-cpu}" "$(bb_core_count)"
}

bb_cpu_flags() {
  local flags f have=()
  flags=" $(awk -F': *' '/^(flags|Features)/ {print $2; exit}' /proc/cpuinfo 2>/dev/null) "
  for f in sse4_1 avx2 fma f16c bmi2 avx512f avx512bw avx512_vnni avx_vnni amx_int8 \
    asimd asimddp i8mm sve; do
    [[ "$flags" == *" $f "* ]] && have+=("$f")
  done
  printf '%s\n' "${have[*]}"
}
