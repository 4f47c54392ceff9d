# bitnet_benches: the registered Google Benchmark suite (docs/benchmarks.md).

# The naming grammar and the shape tables, dependency-free: shared with the JSON validator
# (tests/bench.cmake) and anyone parsing result names.
add_library(bitnet_bench_naming
  naming.cc
  shapes.cc
  filter.cc
)
target_include_directories(bitnet_bench_naming PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})

# Flags, probe and shared helpers (linked by the suite and its unit tests).
add_library(bitnet_bench_support
  options.cc
  probe.cc
  common.cc
  context.cc
)
bitnet_isa_sources(bitnet_bench_support avx2 probe_avx2.cc)
bitnet_isa_sources(bitnet_bench_support avx512vnni probe_avx512vnni.cc)
target_link_libraries(bitnet_bench_support
  PUBLIC bitnet_bench_naming bitnet_kernels bitnet_fixtures benchmark::benchmark
  PRIVATE nlohmann_json::nlohmann_json Threads::Threads)

# Build facts for the JSON context (BITNET_GIT_COMMIT comes from the top-level CMakeLists.txt).
string(TOUPPER "${CMAKE_BUILD_TYPE}" _bitnet_bt)
set(_bitnet_flags "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_bitnet_bt}}")
string(STRIP "${_bitnet_flags}" _bitnet_flags)
set(_bitnet_flags "${_bitnet_flags} (per-ISA files add their -m flags)")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/build_info.h.in ${CMAKE_CURRENT_BINARY_DIR}/bitnet_bench_build_info.h @ONLY)
target_include_directories(bitnet_bench_support PRIVATE ${CMAKE_CURRENT_BINARY_DIR})

add_executable(bitnet_benches
  bench_main.cc
  bench_probe.cc
  bench_matmul.cc
  bench_dequant.cc
  bench_quant_act.cc
)
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/bench_decode.cc AND TARGET bitnet_model)
  target_sources(bitnet_benches PRIVATE bench_decode.cc)
  target_link_libraries(bitnet_benches PRIVATE bitnet_model)
  target_compile_definitions(bitnet_benches PRIVATE BITNET_BENCH_DECODE=1)
endif()
target_link_libraries(bitnet_benches PRIVATE bitnet_bench_support bitnet_fixtures bitnet_kernels
                      benchmark::benchmark Threads::Threads)
