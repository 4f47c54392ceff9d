# Tests of the benchmark suite (bench/): the naming grammar, our flags, the CLI, and a quick run
# of the whole suite whose JSON is validated.
bitnet_add_gtest(test_bench_naming LABELS unit bench
  SOURCES test_bench_naming.cc LIBS bitnet_results bitnet_bench_support)
bitnet_add_gtest(test_bench_options LABELS unit bench
  SOURCES test_bench_options.cc LIBS bitnet_bench_support)
bitnet_add_gtest(test_bench_support LABELS unit bench
  SOURCES test_bench_support.cc LIBS bitnet_bench_support)
bitnet_add_gtest(test_bench_cli LABELS bench
  SOURCES test_bench_cli.cc LIBS bitnet_kernels)
target_compile_definitions(test_bench_cli PRIVATE BITNET_BENCHES_EXE="$<TARGET_FILE:bitnet_benches>")
add_dependencies(test_bench_cli bitnet_benches)

add_executable(bench_json_check bench_json_check.cc)
set_target_properties(bench_json_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
target_link_libraries(bench_json_check PRIVATE bitnet_results bitnet_kernels
                      nlohmann_json::nlohmann_json)

# The CI smoke: the quick suite with a tiny min_time, then its JSON validated.
set(_bench_json ${CMAKE_BINARY_DIR}/tests/bench_quick.json)
add_test(NAME bench_quick_run
  COMMAND bitnet_benches --bitnet_quick --benchmark_min_time=0.001
          --benchmark_out=${_bench_json} --benchmark_out_format=json --benchmark_format=console)
set_tests_properties(bench_quick_run PROPERTIES LABELS "bench" TIMEOUT 180
                     FIXTURES_SETUP bench_quick_json)
set(_bench_families gemv,gemm,dequant,quant_act,probe,decode,prefill)
add_test(NAME bench_quick_json COMMAND bench_json_check ${_bench_json} ${_bench_families})
set_tests_properties(bench_quick_json PROPERTIES LABELS "bench" FIXTURES_REQUIRED bench_quick_json)
