# bitnet-kernels (list / check the registry) and bitnet-quantize (owner: kcore).
add_executable(bitnet-kernels ${CMAKE_CURRENT_LIST_DIR}/bitnet_kernels_main.cc)
target_link_libraries(bitnet-kernels PRIVATE bitnet_kernels nlohmann_json::nlohmann_json)
