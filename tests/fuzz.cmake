# libFuzzer targets beside fuzz_gguf (tests/gguf.cmake): the spec parser, the peer-output parsers
# and bench-diff's Google Benchmark JSON reader. The `fuzz` preset (clang++, ASan + UBSan,
# BITNET_FUZZ=ON) compiles every library with -fsanitize=fuzzer-no-link, so coverage reaches the
# code under test, not only the harness. .ci/run runs each for a bounded time, e.g.
#   build/fuzz/bin/fuzz_spec -max_total_time=60 <new-corpus-dir> <seed-dir>
if(BITNET_FUZZ)
  foreach(_t spec peer_output gb_json)
    add_executable(fuzz_${_t} ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${_t}.cc)
    target_compile_options(fuzz_${_t} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${_t} PRIVATE -fsanitize=fuzzer)
  endforeach()
  target_link_libraries(fuzz_spec PRIVATE bitnet_fixtures)
  target_link_libraries(fuzz_peer_output PRIVATE bitnet_compare)
  target_link_libraries(fuzz_gb_json PRIVATE bitnet_results)
endif()
