# Per-ISA compile flags. Only the files listed for an ISA get its -m flags, so the baseline
# code (and the dispatcher) stays runnable on any x86-64 CPU.
set(BITNET_FLAGS_sse41 -msse4.1 -mssse3)
set(BITNET_FLAGS_avx2 -mavx2 -mfma -mf16c -mbmi2)
set(BITNET_FLAGS_avx512 -mavx2 -mfma -mf16c -mbmi2 -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl)
set(BITNET_FLAGS_avx512vnni ${BITNET_FLAGS_avx512} -mavx512vnni)

# bitnet_isa_sources(<target> <isa> <files...>): add files to target compiled with that ISA's flags.
function(bitnet_isa_sources target isa)
  if(NOT DEFINED BITNET_FLAGS_${isa})
    message(FATAL_ERROR "unknown ISA '${isa}'")
  endif()
  target_sources(${target} PRIVATE ${ARGN})
  string(REPLACE ";" " " flags "${BITNET_FLAGS_${isa}}")
  set_source_files_properties(${ARGN} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_FLAGS "${flags}")
endfunction()
