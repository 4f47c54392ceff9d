# GGUF reader/writer tests. Labels: gguf, unit.
bitnet_add_gtest(test_gguf
  LABELS gguf unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_gguf_roundtrip.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_gguf_accessors.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_gguf_golden.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_gguf_broken.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_gguf_mutation.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_gguf_dump.cc
  LIBS bitnet_gguf)
target_include_directories(test_gguf PRIVATE ${CMAKE_CURRENT_LIST_DIR})

bitnet_label_targets(gguf bitnet-gguf)
# The CLI: output on a golden file, exit 3 on a bad file, 2 on bad usage (docs/cli.md).
add_test(NAME gguf_cli_info_text
         COMMAND bitnet-gguf info ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf)
set_tests_properties(gguf_cli_info_text PROPERTIES LABELS "gguf;unit"
  PASS_REGULAR_EXPRESSION "blk\\.0\\.attn_q\\.weight +TQ2_0 +\\[256, 256\\] +[0-9]+ +16896")
add_test(NAME gguf_cli_info_json
         COMMAND bitnet-gguf info --json ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-I2_S.gguf)
set_tests_properties(gguf_cli_info_json PROPERTIES LABELS "gguf;unit"
  PASS_REGULAR_EXPRESSION "\"type\": \"I2_S\"")
add_test(NAME gguf_cli_bad_file
         COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-gguf>
                 -DARGS=info|${BITNET_TEST_DATA_DIR}/truncated-1000.gguf -DEXPECT_RC=3
                 -DEXPECT_ERR=truncated-1000.gguf: offset
                 -DEMULATOR=${BITNET_TEST_EMULATOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/gguf_cli_check.cmake)
add_test(NAME gguf_cli_usage
         COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-gguf> -DARGS=info -DEXPECT_RC=2
                 -DEXPECT_ERR=missing FILE -DEMULATOR=${BITNET_TEST_EMULATOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/gguf_cli_check.cmake)
set_tests_properties(gguf_cli_bad_file gguf_cli_usage PROPERTIES LABELS "gguf;unit")

# libFuzzer target (the `fuzz` preset: clang++, ASan+UBSan, BITNET_FUZZ=ON). Seed corpus: the
# small golden files, e.g. `build/fuzz/bin/fuzz_gguf -max_total_time=60 <corpus-dir>`.
if(BITNET_FUZZ)
  add_executable(fuzz_gguf ${PROJECT_SOURCE_DIR}/fuzz/fuzz_gguf.cc)
  target_compile_options(fuzz_gguf PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_gguf PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_gguf PRIVATE bitnet_gguf)
endif()
