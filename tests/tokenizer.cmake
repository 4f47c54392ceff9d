# Tokenizer tests (label: tokenizer): llama.cpp's test vectors and unit cases.
bitnet_add_gtest(test_tokenizer
LABELS tokenizer unit
SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/test_tokenizer_vectors.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_tokenizer_unit.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_tokenizer_llama_cpp.cc
LIBS bitnet_tokenizer)
target_include_directories(test_tokenizer PRIVATE ${CMAKE_CURRENT_LIST_DIR})

# bitnet-tokenize prints what llama-tokenize prints (recorded in tests/data/tokenizer/llama-tokenize).
set(_tok ${BITNET_TEST_DATA_DIR}/tokenizer)
set(_lt ${_tok}/llama-tokenize)
function(bitnet_tokenize_cli_test name expect args)  # args separated by '@'
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-tokenize> "-DARGS=${args}" -DSEP=@
                   -DEXPECT_FILE=${_lt}/${expect} -DOUT_FILE=${CMAKE_CURRENT_BINARY_DIR}/${name}.out
                   -P ${CMAKE_CURRENT_LIST_DIR}/tokenizer_cli_check.cmake)
  set_tests_properties(${name} PROPERTIES LABELS "tokenizer;unit")
endfunction()
bitnet_tokenize_cli_test(tokenizer_cli_pieces_spm tiny-A-pieces.stdout
  "-m@${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf@-p@The quick brown fox\\n<s>x@--log-disable")
bitnet_tokenize_cli_test(tokenizer_cli_pieces_gpt2_count gpt2-pieces-count.stdout
  "-m@${_tok}/ggml-vocab-gpt-2.gguf@-p@Hello, y'all! \\xf0\\x9f\\xa6\\x99 <|endoftext|> caf\\xc3\\xa9@--show-count")
bitnet_tokenize_cli_test(tokenizer_cli_ids_no_bos spm-ids-nobos.stdout
  "-m@${_tok}/ggml-vocab-llama-spm.gguf@-p@Hello <s>world\\t\\xe2\\x82\\xac@--ids@--no-bos@--no-parse-special")
bitnet_tokenize_cli_test(tokenizer_cli_file_ids tiny-A-file-ids.stdout
  "-m@${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf@-f@${_tok}/prompt-quick-brown-fox.txt@--ids")

# Errors: a file without a tokenizer (exit 3, names file and key); usage (exit 2) (docs/cli.md).
add_test(NAME tokenizer_cli_bad_file
         COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-tokenize>
                 -DARGS=-m|${BITNET_TEST_DATA_DIR}/truncated-1000.gguf|-p|x -DEXPECT_RC=3
                 -DEXPECT_ERR=truncated-1000.gguf: offset
                 -DEMULATOR=${BITNET_TEST_EMULATOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/gguf_cli_check.cmake)
add_test(NAME tokenizer_cli_usage
         COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-tokenize>
                 -DARGS=-m|x.gguf -DEXPECT_RC=2 -DEXPECT_ERR=give exactly one of
                 -DEMULATOR=${BITNET_TEST_EMULATOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/gguf_cli_check.cmake)
set_tests_properties(tokenizer_cli_bad_file tokenizer_cli_usage PROPERTIES LABELS "tokenizer;unit")

# bitnet-run from text: llama-cli tokenizes "The quick brown fox" to [1, 410, 390, 394, 396]
# (--verbose-prompt transcript), so the greedy ids are those of decode_cli_matches_llama_cli.
set(_greedy "generated ids: 353 71 411 444 311 90 66 65 390 90 90 90 90 450 94 66\ntext:  uD In froZW\\?> quickWWWW hot\\[\\?")
add_test(NAME tokenizer_run_text_prompt
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 -p "The quick brown fox" -n 16 -t 2 --ctx 256)
# -f drops the file's trailing newline, as llama-cli does.
add_test(NAME tokenizer_run_file_prompt
         COMMAND bitnet-run -m ${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 -f ${BITNET_TEST_DATA_DIR}/tokenizer/prompt-quick-brown-fox.txt -n 16 -t 2 --ctx 256)
set_tests_properties(tokenizer_run_text_prompt tokenizer_run_file_prompt PROPERTIES
  LABELS "tokenizer;decode" PASS_REGULAR_EXPRESSION "${_greedy}")
add_test(NAME tokenizer_run_text_needs_tokenizer
         COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-run>
                 -DARGS=-m|${BITNET_TEST_DATA_DIR}/truncated-1000.gguf|-p|x -DEXPECT_RC=3
                 -DEXPECT_ERR=truncated-1000.gguf
                 -DEMULATOR=${BITNET_TEST_EMULATOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/gguf_cli_check.cmake)
add_test(NAME tokenizer_run_two_prompts_usage
         COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bitnet-run>
                 -DARGS=-m|x.gguf|-p|x|--ids|1 -DEXPECT_RC=2 -DEXPECT_ERR=give exactly one of
                 -DEMULATOR=${BITNET_TEST_EMULATOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/gguf_cli_check.cmake)
set_tests_properties(tokenizer_run_text_needs_tokenizer tokenizer_run_two_prompts_usage
  PROPERTIES LABELS "tokenizer;unit")

# The suite's decode/prefill cases from a text prompt (5 tokens with BOS on the golden tiny model).
add_test(NAME tokenizer_bench_prompt_file
         COMMAND bitnet_benches --bitnet_model=${BITNET_TEST_DATA_DIR}/tiny-bitnet-A-TQ2_0.gguf
                 --bitnet_prompt_file=${BITNET_TEST_DATA_DIR}/tokenizer/prompt-quick-brown-fox.txt
                 --bitnet_threads=1 "--benchmark_filter=^(decode|prefill)/"
                 --benchmark_min_time=0.001 --benchmark_format=json)
set_tests_properties(tokenizer_bench_prompt_file PROPERTIES LABELS "tokenizer;bench"
  PASS_REGULAR_EXPRESSION "decode/tiny-bitnet-a-tq2_0/pos:5/threads:1.*prefill/tiny-bitnet-a-tq2_0/tokens:5/threads:1"
  FAIL_REGULAR_EXPRESSION "error_occurred")

# libFuzzer target (the `fuzz` preset), e.g. `build/fuzz/bin/fuzz_tokenizer -max_total_time=60`.
if(BITNET_FUZZ)
  add_executable(fuzz_tokenizer ${PROJECT_SOURCE_DIR}/fuzz/fuzz_tokenizer.cc)
  target_compile_options(fuzz_tokenizer PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_tokenizer PRIVATE -fsanitize=fuzzer)
  target_compile_definitions(fuzz_tokenizer PRIVATE BITNET_TEST_DATA_DIR="${BITNET_TEST_DATA_DIR}")
  target_link_libraries(fuzz_tokenizer PRIVATE bitnet_tokenizer)
endif()
