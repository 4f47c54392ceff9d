# Kernel tests (owner: kcore). Labels: kernels, unit.
bitnet_add_gtest(test_kernels_registry LABELS kernels unit
  SOURCES test_kernels_registry.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_threadpool LABELS kernels unit
  SOURCES test_kernels_threadpool.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_fp16 LABELS kernels unit
  SOURCES test_kernels_fp16.cc LIBS bitnet_kernels)
# Compares against the F16C instruction; the test itself skips on CPUs without F16C.
set_source_files_properties(test_kernels_fp16.cc TARGET_DIRECTORY test_kernels_fp16
  PROPERTIES COMPILE_FLAGS "-mf16c")
bitnet_add_gtest(test_kernels_quant_act LABELS kernels unit
  SOURCES test_kernels_quant_act.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_quantize LABELS kernels unit
  SOURCES test_kernels_quantize.cc LIBS bitnet_kernels)
bitnet_add_gtest(test_kernels_matmul LABELS kernels unit
  SOURCES test_kernels_matmul.cc LIBS bitnet_kernels)
# Byte compatibility with the golden llama.cpp / bitnet.cpp files in tests/data.
if(TARGET bitnet_gguf)
  bitnet_add_gtest(test_kernels_golden LABELS kernels unit
    SOURCES test_kernels_golden.cc LIBS bitnet_kernels bitnet_gguf)
endif()
