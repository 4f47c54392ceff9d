# Cross-validation against the reference runtimes' own checks (label crossval). docs/crossval.md.
foreach(_t kld_format kld_golden i2s json_bytes ggml_order)
  bitnet_add_gtest(test_crossval_${_t} LABELS crossval
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crossval_${_t}.cc
    LIBS bitnet_crossval bitnet_decode_testlib bitnet_text)
endforeach()
target_compile_definitions(test_crossval_json_bytes PRIVATE
  BITNET_RUN_BIN="$<TARGET_FILE:bitnet-run>")
add_dependencies(test_crossval_json_bytes bitnet-run)

# Peer detection with fake peers (the comparison shim's fakes).
bitnet_add_gtest(test_crossval_peer_probe LABELS crossval shim
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crossval_peer_probe.cc LIBS bitnet_compare)
target_include_directories(test_crossval_peer_probe PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(test_crossval_peer_probe PRIVATE
  COMPARE_FAKE_LLAMA="$<TARGET_FILE:compare_fake_llama>"
  BITNET_RUN_BIN="$<TARGET_FILE:bitnet-run>")
add_dependencies(test_crossval_peer_probe compare_fake_llama bitnet-run)

# Live peers (label peer too): skip without LLAMA_CPP_DIR / BITNET_CPP_DIR.
bitnet_add_gtest(test_crossval_live LABELS crossval peer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crossval_live.cc
  LIBS bitnet_crossval bitnet_decode_testlib)
target_compile_definitions(test_crossval_live PRIVATE BITNET_RUN_BIN="$<TARGET_FILE:bitnet-run>")
add_dependencies(test_crossval_live bitnet-run)
