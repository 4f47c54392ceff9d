# Kernel tests. Labels: kernels, unit.
bitnet_add_gtest(test_kernels_registry LABELS kernels unit
  SOURCES test_kernels_registry.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_threadpool LABELS kernels unit
  SOURCES test_kernels_threadpool.cc test_kernels_threadpool_limits.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_fp16 LABELS kernels unit
  SOURCES test_kernels_fp16.cc LIBS bitnet_kernels)
# Compares against the F16C instruction; the test itself skips on CPUs without F16C.
set_source_files_properties(test_kernels_fp16.cc TARGET_DIRECTORY test_kernels_fp16
  PROPERTIES COMPILE_FLAGS "-mf16c")
bitnet_add_gtest(test_kernels_quant_act LABELS kernels unit
  SOURCES test_kernels_quant_act.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_quantize LABELS kernels unit
  SOURCES test_kernels_quantize.cc LIBS bitnet_kernels)
# Q8_0 / Q6_K vs llama-quantize's bytes (tests/data/quantize), error bounds, edge cases.
bitnet_add_gtest(test_kernels_quantize_k LABELS kernels unit
  SOURCES test_kernels_quantize_k.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_matmul LABELS kernels unit
  SOURCES test_kernels_matmul.cc LIBS bitnet_kernels)
# Byte compatibility with the golden llama.cpp / bitnet.cpp files in tests/data.
bitnet_add_gtest(test_kernels_golden LABELS kernels unit
  SOURCES test_kernels_golden.cc LIBS bitnet_kernels bitnet_gguf)

# The bitnet-kernels CLI: every available kernel passes its self-check; the BITNET_ISA pin is
# honoured and a bad value is a clear error.
add_test(NAME kernels_cli_check COMMAND bitnet-kernels check)
add_test(NAME kernels_cli_list_json COMMAND bitnet-kernels list --json)
add_test(NAME kernels_cli_pin_scalar COMMAND bitnet-kernels list)
set_tests_properties(kernels_cli_pin_scalar PROPERTIES ENVIRONMENT BITNET_ISA=scalar
  PASS_REGULAR_EXPRESSION "isa pin: scalar")
add_test(NAME kernels_cli_pin_unknown COMMAND bitnet-kernels list)
set_tests_properties(kernels_cli_pin_unknown PROPERTIES ENVIRONMENT BITNET_ISA=avx3000
  PASS_REGULAR_EXPRESSION "BITNET_ISA='avx3000' is not an ISA; valid values: scalar\\|sse41\\|avx2\\|avx512\\|avx512vnni")
set_tests_properties(kernels_cli_check kernels_cli_list_json kernels_cli_pin_scalar
  kernels_cli_pin_unknown PROPERTIES LABELS "kernels;unit")
# Pinning avx512vnni: honoured on a CPU that has it, else an error naming the ISA and the features.
add_test(NAME kernels_cli_pin_missing_isa COMMAND bitnet-kernels list)
set_tests_properties(kernels_cli_pin_missing_isa PROPERTIES ENVIRONMENT BITNET_ISA=avx512vnni
  LABELS "kernels;unit"
  PASS_REGULAR_EXPRESSION "cannot run avx512vnni kernels; its features: |isa pin: avx512vnni")
bitnet_add_gtest(test_kernels_quantize_tool LABELS kernels unit
  SOURCES test_kernels_quantize_tool.cc LIBS bitnet_kernels bitnet_gguf)
target_compile_definitions(test_kernels_quantize_tool PRIVATE
  BITNET_QUANTIZE_EXE="$<TARGET_FILE:bitnet-quantize>")
add_dependencies(test_kernels_quantize_tool bitnet-quantize)
