# Tests of bitnet-compare (label shim); the real-peer test also carries `peer`.
add_executable(compare_proc_helper ${CMAKE_CURRENT_SOURCE_DIR}/compare_helpers/proc_helper.cc)
add_executable(compare_fake_llama ${CMAKE_CURRENT_SOURCE_DIR}/compare_helpers/fake_llama.cc)
set_target_properties(compare_proc_helper compare_fake_llama PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/compare_helpers)

set(_cmp_tests process parsers parsers_generated implausible discovery gbench e2e crossval peer)
foreach(_t ${_cmp_tests})
  set(_src ${CMAKE_CURRENT_SOURCE_DIR}/test_compare_${_t}.cc)
  set(_labels shim)
  if(_t STREQUAL "peer")
    set(_labels shim peer)
  endif()
  bitnet_add_gtest(test_compare_${_t} LABELS ${_labels} SOURCES ${_src} LIBS bitnet_compare)
  target_compile_definitions(test_compare_${_t} PRIVATE
    COMPARE_PROC_HELPER="$<TARGET_FILE:compare_proc_helper>"
    COMPARE_FAKE_LLAMA="$<TARGET_FILE:compare_fake_llama>"
    BITNET_COMPARE_BIN="$<TARGET_FILE:bitnet-compare>")
  add_dependencies(test_compare_${_t} compare_proc_helper compare_fake_llama bitnet-compare)
endforeach()

# ci/compare.sh end to end, with a fake bitnet_benches and the fake llama-bench.
add_test(NAME compare_sh_interleaved_table
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/compare_helpers/check_compare_sh.sh ${CMAKE_SOURCE_DIR}
                 $<TARGET_FILE:compare_fake_llama> $<TARGET_FILE:bitnet-compare> ${BITNET_TEST_DATA_DIR})
set_tests_properties(compare_sh_interleaved_table PROPERTIES LABELS shim TIMEOUT 120)

# convert streams: a jsonl file larger than its address-space limit converts (skipped under ASan).
add_test(NAME compare_convert_streams
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/compare_helpers/check_convert_streams.sh
                 $<TARGET_FILE:bitnet-compare> ${BITNET_TEST_DATA_DIR} ${CMAKE_CURRENT_BINARY_DIR}
                 $<BOOL:${BITNET_SANITIZE}>)
set_tests_properties(compare_convert_streams PROPERTIES LABELS shim TIMEOUT 300 SKIP_RETURN_CODE 77)
