# Kernel tests. Labels: kernels, unit.
bitnet_add_gtest(test_kernels_registry LABELS kernels unit
  SOURCES test_kernels_registry.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_tuning LABELS kernels unit
  SOURCES test_kernels_tuning.cc LIBS bitnet_kernels nlohmann_json::nlohmann_json)
bitnet_add_gtest(test_kernels_threadpool LABELS kernels unit
  SOURCES test_kernels_threadpool.cc test_kernels_threadpool_limits.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_fp16 LABELS kernels unit
  SOURCES test_kernels_fp16.cc LIBS bitnet_kernels)
# Compares against the F16C instruction (x86-64; the test itself skips on CPUs without F16C) or
# aarch64's FCVT.
if(BITNET_ARCH STREQUAL "x86_64")
  set_source_files_properties(test_kernels_fp16.cc TARGET_DIRECTORY test_kernels_fp16
    PROPERTIES COMPILE_FLAGS "-mf16c")
endif()
bitnet_add_gtest(test_kernels_quant_act LABELS kernels unit
  SOURCES test_kernels_quant_act.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_quantize LABELS kernels unit
  SOURCES test_kernels_quantize.cc LIBS bitnet_kernels)
# Q8_0 / Q6_K vs llama-quantize's bytes (tests/data/quantize), error bounds, edge cases.
bitnet_add_gtest(test_kernels_quantize_k LABELS kernels unit
  SOURCES test_kernels_quantize_k.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_matmul LABELS kernels unit
  SOURCES test_kernels_matmul.cc LIBS bitnet_kernels)
# The engine's dense kernels (dot, axpy, widen, round, exp_sum) against their contracts; also
# labelled decode, as the decode engine runs on them.
bitnet_add_gtest(test_kernels_dense LABELS kernels decode unit
  SOURCES test_kernels_dense.cc LIBS bitnet_kernels)
# Byte compatibility with the golden llama.cpp / bitnet.cpp files in tests/data.
bitnet_add_gtest(test_kernels_golden LABELS kernels unit
  SOURCES test_kernels_golden.cc LIBS bitnet_kernels bitnet_gguf)

bitnet_label_targets(kernels bitnet-kernels bitnet-dispatch-check)
# The bitnet-kernels CLI: every available kernel passes its self-check; the BITNET_ISA pin is
# honoured and a bad value is a clear error.
add_test(NAME kernels_cli_check COMMAND bitnet-kernels check)
add_test(NAME kernels_cli_list_json COMMAND bitnet-kernels list --json)
add_test(NAME kernels_cli_pin_scalar COMMAND bitnet-kernels list)
set_tests_properties(kernels_cli_pin_scalar PROPERTIES ENVIRONMENT BITNET_ISA=scalar
  PASS_REGULAR_EXPRESSION "isa pin: scalar")
# The valid values and the most capable ISA are the build architecture's.
if(BITNET_ARCH STREQUAL "aarch64")
  set(_valid_isas "scalar\\|neon\\|dotprod\\|i8mm")
  set(_top_isa i8mm)
else()
  set(_valid_isas "scalar\\|sse41\\|avx2\\|avx512\\|avx512vnni")
  set(_top_isa avx512vnni)
endif()
add_test(NAME kernels_cli_pin_unknown COMMAND bitnet-kernels list)
set_tests_properties(kernels_cli_pin_unknown PROPERTIES ENVIRONMENT BITNET_ISA=avx3000
  PASS_REGULAR_EXPRESSION "BITNET_ISA='avx3000' is not an ISA; valid values: ${_valid_isas}")
set_tests_properties(kernels_cli_check kernels_cli_list_json kernels_cli_pin_scalar
  kernels_cli_pin_unknown PROPERTIES LABELS "kernels;unit")
# Pinning the top ISA: honoured on a CPU that has it, else an error naming the ISA and the features.
add_test(NAME kernels_cli_pin_missing_isa COMMAND bitnet-kernels list)
set_tests_properties(kernels_cli_pin_missing_isa PROPERTIES ENVIRONMENT BITNET_ISA=${_top_isa}
  LABELS "kernels;unit"
  PASS_REGULAR_EXPRESSION "cannot run ${_top_isa} kernels; its features: |isa pin: ${_top_isa}")
bitnet_add_gtest(test_kernels_quantize_tool LABELS kernels unit
  SOURCES test_kernels_quantize_tool.cc LIBS bitnet_kernels bitnet_gguf)
target_compile_definitions(test_kernels_quantize_tool PRIVATE
  BITNET_QUANTIZE_EXE="${BITNET_TEST_EMULATOR_CMD}$<TARGET_FILE:bitnet-quantize>")
add_dependencies(test_kernels_quantize_tool bitnet-quantize)
# The measured dispatch table end to end, in a private cache: `tune` makes it (one thread),
# `list` then shows it and the kernels it selects. Labelled "tuning": BITNET_TUNE stays on.
set(_tune_cache ${CMAKE_BINARY_DIR}/tests/tuning-cache)
add_test(NAME kernels_cli_tune
  COMMAND ${CMAKE_COMMAND} -E env BITNET_CACHE=${_tune_cache} BITNET_TUNE=on
          $<TARGET_FILE:bitnet-kernels> tune --threads 1)
set_tests_properties(kernels_cli_tune PROPERTIES LABELS "kernels;tuning" TIMEOUT 300
  FIXTURES_SETUP tuning_table
  PASS_REGULAR_EXPRESSION "measured dispatch table .*matmul +TQ2_0 +64\\+ +1 ")
add_test(NAME kernels_cli_list_tuned
  COMMAND ${CMAKE_COMMAND} -E env BITNET_CACHE=${_tune_cache} BITNET_TUNE=on
          $<TARGET_FILE:bitnet-kernels> list)
set_tests_properties(kernels_cli_list_tuned PROPERTIES LABELS "kernels;tuning"
  FIXTURES_REQUIRED tuning_table
  PASS_REGULAR_EXPRESSION "dispatch: measured table .*\\(loaded\\)")
add_test(NAME kernels_cli_tune_bad_threads COMMAND bitnet-kernels tune --threads 0)
set_tests_properties(kernels_cli_tune_bad_threads PROPERTIES LABELS "kernels;unit"
  WILL_FAIL TRUE)
# The dispatch check over suite results (hand-made JSON in tests/data/dispatch): same kernel as
# the fastest row or within 5 % passes; a different kernel 30 % slower fails.
add_test(NAME dispatch_check_pass
  COMMAND bitnet-dispatch-check ${CMAKE_CURRENT_SOURCE_DIR}/data/dispatch/pass.json)
set_tests_properties(dispatch_check_pass PROPERTIES LABELS "kernels;unit"
  PASS_REGULAR_EXPRESSION "PASS: 2 cases: 1 dispatch ran the fastest row's kernel, 1 within 5 %")
add_test(NAME dispatch_check_fail
  COMMAND bitnet-dispatch-check ${CMAKE_CURRENT_SOURCE_DIR}/data/dispatch/fail.json)
set_tests_properties(dispatch_check_fail PROPERTIES LABELS "kernels;unit" WILL_FAIL TRUE)
add_test(NAME dispatch_check_fail_names_case
  COMMAND bitnet-dispatch-check ${CMAKE_CURRENT_SOURCE_DIR}/data/dispatch/fail.json)
set_tests_properties(dispatch_check_fail_names_case PROPERTIES LABELS "kernels;unit"
  PASS_REGULAR_EXPRESSION "FAIL gemm/i2_s M:6912 K:2560 N:128 threads:1 hot .*1.300x")
add_test(NAME dispatch_check_tolerance
  COMMAND bitnet-dispatch-check --tolerance 35 ${CMAKE_CURRENT_SOURCE_DIR}/data/dispatch/fail.json)
set_tests_properties(dispatch_check_tolerance PROPERTIES LABELS "kernels;unit")
# bitnet-quantize on golden models E (Q4_0 fallback) and G (arch llama) vs the origins' files.
bitnet_add_gtest(test_kernels_quantize_fallback LABELS kernels unit
  SOURCES test_kernels_quantize_fallback.cc LIBS bitnet_kernels bitnet_gguf bitnet_fixtures)
target_include_directories(test_kernels_quantize_fallback PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(test_kernels_quantize_fallback PRIVATE
  BITNET_QUANTIZE_EXE="${BITNET_TEST_EMULATOR_CMD}$<TARGET_FILE:bitnet-quantize>")
add_dependencies(test_kernels_quantize_fallback bitnet-quantize)
