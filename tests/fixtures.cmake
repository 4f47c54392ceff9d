# Fixtures tests (label: fixtures). Network tests talk only to tests/support/http_test_server on
# 127.0.0.1, started by the test itself.
add_library(bitnet_http_test_server STATIC ${CMAKE_CURRENT_LIST_DIR}/support/http_test_server.cc)
target_include_directories(bitnet_http_test_server PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(bitnet_http_test_server PUBLIC Threads::Threads)

bitnet_add_gtest(test_fixtures_download LABELS fixtures
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_download.cc
  LIBS bitnet_fixtures bitnet_http_test_server)
bitnet_add_gtest(test_fixtures_download_limits LABELS fixtures
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_download_limits.cc
  LIBS bitnet_fixtures bitnet_http_test_server)
bitnet_add_gtest(test_fixtures_resolve LABELS fixtures
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_resolve.cc
  LIBS bitnet_fixtures bitnet_http_test_server)
# bitnet_engine: the Q6_K / Q8_0 embedding models are run through the decode engine.
bitnet_add_gtest(test_fixtures_synthetic LABELS fixtures
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_synthetic.cc
  LIBS bitnet_fixtures bitnet_gguf bitnet_kernels bitnet_engine bitnet_http_test_server)
bitnet_add_gtest(test_fixtures_cli LABELS fixtures
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_cli.cc
  LIBS bitnet_fixtures bitnet_http_test_server)
target_compile_definitions(test_fixtures_cli PRIVATE BITNET_FIXTURES_CLI="$<TARGET_FILE:bitnet-fixtures>")
add_dependencies(test_fixtures_cli bitnet-fixtures)
bitnet_add_gtest(test_fixtures_quantize_policy LABELS fixtures unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_quantize_policy.cc
  LIBS bitnet_fixtures)
# llama.cpp / bitnet.cpp load our synthetic models (skipped without LLAMA_CPP_DIR / BITNET_CPP_DIR).
bitnet_add_gtest(test_fixtures_peer_load LABELS fixtures peer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fixtures_peer_load.cc LIBS bitnet_fixtures)
target_include_directories(test_fixtures_peer_load PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
