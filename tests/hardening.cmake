# Hostile inputs through the command-line tools (label: hardening). docs/security.md.
bitnet_add_gtest(test_hardening_cli LABELS "hardening;fixtures"
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hardening_cli.cc
  LIBS bitnet_fixtures)
target_include_directories(test_hardening_cli PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(test_hardening_cli PRIVATE
  BITNET_FIXTURES_CLI="$<TARGET_FILE:bitnet-fixtures>"
  BITNET_RUN_EXE="$<TARGET_FILE:bitnet-run>"
  BITNET_BENCHES_EXE="$<TARGET_FILE:bitnet_benches>"
  BITNET_COMPARE_BIN="$<TARGET_FILE:bitnet-compare>"
  BENCH_DIFF_BIN="$<TARGET_FILE:bench-diff>")
add_dependencies(test_hardening_cli bitnet-fixtures bitnet-run bitnet_benches bitnet-compare
                 bench-diff)
