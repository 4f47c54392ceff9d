# Per-ISA compile flags. Only the files listed for an ISA get its -m flags, so the baseline
# code (and the dispatcher) stays runnable on any CPU of the architecture (x86-64; ARMv8-A).
#
# BITNET_ARCH: the target architecture's kernel family, "x86_64" or "aarch64" (anything else
# builds the scalar references only). Each CMakeLists lists its files per architecture.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(BITNET_ARCH x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(BITNET_ARCH aarch64)
else()
  set(BITNET_ARCH other)
endif()
# GCC contracts a*b + c into one fused multiply-add by default wherever the target has one, which
# aarch64's baseline does (x86-64's does not): every float result would differ from the x86 build
# and from the tests' own models of the contracts. Contract only where the code says fma.
if(BITNET_ARCH STREQUAL "aarch64")
  add_compile_options(-ffp-contract=off)
endif()
message(STATUS "bitnet: kernels for ${BITNET_ARCH} (CMAKE_SYSTEM_PROCESSOR=${CMAKE_SYSTEM_PROCESSOR})")

set(BITNET_FLAGS_sse41 -msse4.1 -mssse3)
set(BITNET_FLAGS_avx2 -mavx2 -mfma -mf16c -mbmi2)
set(BITNET_FLAGS_avx512 -mavx2 -mfma -mf16c -mbmi2 -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl)
set(BITNET_FLAGS_avx512vnni ${BITNET_FLAGS_avx512} -mavx512vnni)
# ARMv8-A has Advanced SIMD (NEON) in its baseline; the dot product (SDOT/UDOT) is optional from
# ARMv8.2-A, the int8 matrix multiply (SMMLA) from ARMv8.6-A.
set(BITNET_FLAGS_neon -march=armv8-a)
set(BITNET_FLAGS_dotprod -march=armv8.2-a+dotprod)
set(BITNET_FLAGS_i8mm -march=armv8.2-a+dotprod+i8mm)

# bitnet_isa_sources(<target> <isa> <files...>): add files to target compiled with that ISA's flags.
function(bitnet_isa_sources target isa)
  if(NOT DEFINED BITNET_FLAGS_${isa})
    message(FATAL_ERROR "unknown ISA '${isa}'")
  endif()
  target_sources(${target} PRIVATE ${ARGN})
  string(REPLACE ";" " " flags "${BITNET_FLAGS_${isa}}")
  set_source_files_properties(${ARGN} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_FLAGS "${flags}")
endfunction()
