# bitnet-gguf: print a GGUF file's header, metadata and tensor table (owner: gguf).
add_executable(bitnet-gguf ${CMAKE_CURRENT_LIST_DIR}/bitnet_gguf_main.cc)
target_link_libraries(bitnet-gguf PRIVATE bitnet_gguf)
