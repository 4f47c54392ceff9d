# bitnet-run: greedy generation with the decode engine, llama-cli-like timing lines (owner: decode).
add_executable(bitnet-run ${CMAKE_CURRENT_LIST_DIR}/bitnet_run_main.cc)
target_link_libraries(bitnet-run PRIVATE bitnet_model bitnet_fixtures nlohmann_json::nlohmann_json)
