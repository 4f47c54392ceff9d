# Tests of the peer-kernel loader (bench/peers/). Labels: shim peer. Fake peer libraries with the
# real ones' file names and symbols are built into tests/peer_fakes/<variant>/; the real peers
# are tested when LLAMA_CPP_DIR / BITNET_CPP_DIR name them (skipped otherwise).
set(_fakes ${CMAKE_CURRENT_SOURCE_DIR}/peer_fakes)
set(_fake_out ${CMAKE_BINARY_DIR}/tests/peer_fakes)
set(_fake_targets)
# bitnet_fake_peer_lib(<target> <variant dir> <output name> <source> [definitions...])
function(bitnet_fake_peer_lib target dir name src)
  add_library(${target} SHARED ${_fakes}/${src})
  target_link_libraries(${target} PRIVATE bitnet_kernels)
  target_compile_definitions(${target} PRIVATE ${ARGN})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name} CXX_VISIBILITY_PRESET hidden
                        LIBRARY_OUTPUT_DIRECTORY ${_fake_out}/${dir})
  set(_fake_targets ${_fake_targets} ${target} PARENT_SCOPE)
endfunction()
bitnet_fake_peer_lib(fake_llama_good_base llama_good ggml-base fake_ggml_base.cc)
bitnet_fake_peer_lib(fake_llama_good_cpu llama_good ggml-cpu fake_ggml_cpu.cc)
bitnet_fake_peer_lib(fake_llama_wrong_base llama_wrong_dot ggml-base fake_ggml_base.cc)
bitnet_fake_peer_lib(fake_llama_wrong_cpu llama_wrong_dot ggml-cpu fake_ggml_cpu.cc FAKE_WRONG_DOT)
bitnet_fake_peer_lib(fake_llama_layout_base llama_bad_layout ggml-base fake_ggml_base.cc FAKE_BAD_LAYOUT)
bitnet_fake_peer_lib(fake_llama_layout_cpu llama_bad_layout ggml-cpu fake_ggml_cpu.cc)
bitnet_fake_peer_lib(fake_bitnet_good bitnet_good ggml fake_bitnet_ggml.cc)
bitnet_fake_peer_lib(fake_bitnet_no_dot bitnet_no_dot ggml fake_bitnet_ggml.cc FAKE_NO_DOT)
bitnet_fake_peer_lib(fake_bitnet_wrong_pack bitnet_wrong_pack ggml fake_bitnet_ggml.cc FAKE_WRONG_PACK)

bitnet_add_gtest(test_peer_kernels LABELS shim peer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_peer_kernels.cc
                 LIBS bitnet_peer_kernels bitnet_kernels)
target_compile_definitions(test_peer_kernels PRIVATE BITNET_FAKE_PEERS_DIR="${_fake_out}")
add_dependencies(test_peer_kernels ${_fake_targets})

# The suite's peer rows end to end with the fakes.
bitnet_add_gtest(test_peer_rows LABELS shim peer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_peer_rows.cc
                 LIBS bitnet_peer_kernels nlohmann_json::nlohmann_json)
target_compile_definitions(test_peer_rows PRIVATE BITNET_FAKE_PEERS_DIR="${_fake_out}"
                           BITNET_BENCHES_EXE="$<TARGET_FILE:bitnet_benches>")
add_dependencies(test_peer_rows ${_fake_targets} bitnet_benches)

# bitnet-compare kernels: the ours-vs-peer table from one result file.
bitnet_add_gtest(test_peer_table LABELS shim peer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_peer_table.cc
                 LIBS bitnet_compare)
