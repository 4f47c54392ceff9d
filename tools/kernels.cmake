# bitnet-kernels (list / check the registry) and bitnet-quantize (owner: kcore).
add_executable(bitnet-kernels ${CMAKE_CURRENT_LIST_DIR}/bitnet_kernels_main.cc)
target_link_libraries(bitnet-kernels PRIVATE bitnet_kernels nlohmann_json::nlohmann_json)
if(TARGET bitnet_gguf)
  add_executable(bitnet-quantize ${CMAKE_CURRENT_LIST_DIR}/bitnet_quantize_main.cc)
  target_link_libraries(bitnet-quantize PRIVATE bitnet_kernels bitnet_gguf)
endif()
