# Tests of the benchmark suite (bench/): the naming grammar, our flags, the CLI, and a quick run
# of the whole suite whose JSON is validated.
bitnet_add_gtest(test_bench_naming LABELS unit bench
  SOURCES test_bench_naming.cc LIBS bitnet_results bitnet_bench_support)
bitnet_add_gtest(test_bench_options LABELS unit bench
  SOURCES test_bench_options.cc LIBS bitnet_bench_support)
bitnet_add_gtest(test_bench_support LABELS unit bench
  SOURCES test_bench_support.cc LIBS bitnet_bench_support)
bitnet_add_gtest(test_bench_cli LABELS bench
  SOURCES test_bench_cli.cc LIBS bitnet_kernels bitnet_fixtures)
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

# CSV on the console and into a file (families report different counters: the suite writes one
# header with their union). The quick suite with both reporters at once, then each output checked.
add_executable(bench_csv_check bench_csv_check.cc)
set_target_properties(bench_csv_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
set(_bench_csv ${CMAKE_BINARY_DIR}/tests/bench_quick.csv)
set(_bench_csv_console ${CMAKE_BINARY_DIR}/tests/bench_quick_console.csv)
add_test(NAME bench_quick_csv_run
  COMMAND sh -c "\"$1\" --bitnet_quick --benchmark_min_time=0.001 --benchmark_out=\"$2\" --benchmark_out_format=csv --benchmark_format=csv > \"$3\""
          sh $<TARGET_FILE:bitnet_benches> ${_bench_csv} ${_bench_csv_console})
set_tests_properties(bench_quick_csv_run PROPERTIES LABELS "bench" TIMEOUT 180
                     FIXTURES_SETUP bench_quick_csv)
add_test(NAME bench_quick_csv_file COMMAND bench_csv_check ${_bench_csv} 50)
add_test(NAME bench_quick_csv_console COMMAND bench_csv_check ${_bench_csv_console} 50)
set_tests_properties(bench_quick_csv_file bench_quick_csv_console PROPERTIES LABELS "bench"
                     FIXTURES_REQUIRED bench_quick_csv)

# docs/results.md is generated from a suite JSON: the quick run's must render, naming the machine.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME bench_results_md
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/results-md.py ${_bench_json})
  set_tests_properties(bench_results_md PROPERTIES LABELS "bench" FIXTURES_REQUIRED bench_quick_json
    PASS_REGULAR_EXPRESSION "# Results: .*, [0-9]+ CPUs.*\\| features \\|.*caches, measured")
endif()

# The probe runs only when a selected row needs it: quant_act rows report no fraction of a
# machine limit, so a fresh cache stays unprobed.
add_test(NAME bench_probe_only_when_needed
  COMMAND ${CMAKE_COMMAND} -E env BITNET_CACHE=${CMAKE_BINARY_DIR}/tests/no-probe-cache
          $<TARGET_FILE:bitnet_benches> --bitnet_quick --benchmark_filter=^quant_act/
          --benchmark_min_time=0.001)
set_tests_properties(bench_probe_only_when_needed PROPERTIES LABELS "bench"
  FAIL_REGULAR_EXPRESSION "probing|sweeping"
  PASS_REGULAR_EXPRESSION "quant_act/")

# With repetitions, the coefficient of variation of an all-zero counter (major_faults) must not
# make the JSON unreadable (Google Benchmark 1.7.1 writes NaN): bench-diff must parse the file.
if(TARGET bench-diff)
  set(_bench_reps_json ${CMAKE_BINARY_DIR}/tests/bench_quick_reps.json)
  add_test(NAME bench_reps_json_parses
    COMMAND sh -c "\"$1\" --bitnet_quick --benchmark_filter='^(decode|prefill)/' --benchmark_repetitions=2 --benchmark_min_time=0.001 --benchmark_out=\"$2\" >/dev/null && \"$3\" \"$2\" \"$2\" --format none"
            sh $<TARGET_FILE:bitnet_benches> ${_bench_reps_json} $<TARGET_FILE:bench-diff>)
  set_tests_properties(bench_reps_json_parses PROPERTIES LABELS "bench" TIMEOUT 180)
endif()
