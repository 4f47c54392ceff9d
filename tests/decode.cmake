# Decode engine tests (label decode; the 2B4T-shape run is also `slow`).
add_library(bitnet_decode_testlib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/test_decode_ref.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_decode_util.cc
)
target_link_libraries(bitnet_decode_testlib PUBLIC bitnet_engine bitnet_fixtures nlohmann_json::nlohmann_json
                      GTest::gtest)
target_compile_definitions(bitnet_decode_testlib PRIVATE BITNET_TEST_DATA_DIR="${BITNET_TEST_DATA_DIR}")

bitnet_add_gtest(test_decode_golden LABELS decode
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_golden.cc
  LIBS bitnet_decode_testlib)
bitnet_add_gtest(test_decode_loader_llama LABELS decode
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_loader_llama.cc
  LIBS bitnet_decode_testlib)
bitnet_add_gtest(test_decode_loader LABELS decode
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_loader.cc
  LIBS bitnet_decode_testlib)
bitnet_add_gtest(test_decode_engine LABELS decode
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_engine.cc
  LIBS bitnet_decode_testlib)
bitnet_add_gtest(test_decode_2b4t LABELS decode slow
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_2b4t.cc
  LIBS bitnet_decode_testlib)

bitnet_label_targets(decode bitnet-run)
# bitnet-run end to end: llama-cli's greedy ids for the same prompt on the golden tiny model
# (golden README §7: [1, 410, 390, 394, 396] -> these 16 ids), and its exit code for bad usage.
add_test(NAME decode_cli_matches_llama_cli
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 --ids "1 410 390 394 396" -n 16 -t 2 --ctx 256)
set_tests_properties(decode_cli_matches_llama_cli PROPERTIES LABELS decode
  PASS_REGULAR_EXPRESSION "generated ids: 353 71 411 444 311 90 66 65 390 90 90 90 90 450 94 66\ntext:  uD In froZW\\?> quickWWWW hot\\[\\?")
add_test(NAME decode_cli_usage_error COMMAND bitnet-run -p 1)
set_tests_properties(decode_cli_usage_error PROPERTIES LABELS decode WILL_FAIL TRUE)

# --warmup decodes untimed tokens and empties the cache: the same 16 ids as without it; --json
# reports the warm-up and the time to first token; a warm-up beyond the context is a usage error.
add_test(NAME decode_cli_warmup_same_ids
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 --ids "1 410 390 394 396" -n 16 -t 2 --ctx 256 --warmup 7)
set_tests_properties(decode_cli_warmup_same_ids PROPERTIES LABELS decode
  PASS_REGULAR_EXPRESSION "generated ids: 353 71 411 444 311 90 66 65 390 90 90 90 90 450 94 66\n")
add_test(NAME decode_cli_warmup_stderr
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 --ids "1 410 390 394 396" -n 2 --ctx 256 --warmup 3)
set_tests_properties(decode_cli_warmup_stderr PROPERTIES LABELS decode
  PASS_REGULAR_EXPRESSION "warm-up time = +[0-9.]+ ms / +3 tokens.*first token = +[0-9.]+ ms \\(load \\+ warm-up \\+ prompt of 5 tokens")
add_test(NAME decode_cli_json_first_token
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 --ids "1 410 390 394 396" -n 3 --ctx 256 --warmup 2 --json)
set_tests_properties(decode_cli_json_first_token PROPERTIES LABELS decode
  PASS_REGULAR_EXPRESSION "\"generated\": \\[\n +353,\n +71,\n +411\n +\\].*\"time_to_first_token_ms\": [0-9.e+-]+,\n +\"warmup_ms\": [0-9.e+-]+,\n +\"warmup_tokens\": 2")
add_test(NAME decode_cli_json_no_first_token
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 --ids "1 410" -n 0 --ctx 64 --json)
set_tests_properties(decode_cli_json_no_first_token PROPERTIES LABELS decode
  PASS_REGULAR_EXPRESSION "\"time_to_first_token_ms\": null,\n +\"warmup_ms\": 0[.0-9e+-]*,\n +\"warmup_tokens\": 0")
add_test(NAME decode_cli_warmup_beyond_context
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf --ids "1" -n 1
                 --ctx 8 --warmup 9)
set_tests_properties(decode_cli_warmup_beyond_context PROPERTIES LABELS decode
  PASS_REGULAR_EXPRESSION "--warmup 9 exceeds the context \\(8 positions\\)")
add_test(NAME decode_cli_warmup_negative
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf --ids "1" -n 1
                 --warmup -1)
set_tests_properties(decode_cli_warmup_negative PROPERTIES LABELS decode WILL_FAIL TRUE)
