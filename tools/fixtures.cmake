# bitnet-fixtures: list / resolve / download / generate / verify / info / gc (owner: fixtures).
add_executable(bitnet-fixtures ${CMAKE_CURRENT_LIST_DIR}/bitnet_fixtures_main.cc)
target_link_libraries(bitnet-fixtures PRIVATE bitnet_fixtures bitnet_gguf nlohmann_json::nlohmann_json)
