# The shared command-line conventions (docs/cli.md), one test per tool. Label: cli.
set(_cli_tools
  bitnet-gguf
  bitnet-dispatch-check
  bitnet-quantize
  bitnet-kernels
  bitnet-tokenize
  bitnet-run
  bench-diff
  bench-report
  bitnet-fixtures
  bitnet-compare
  bitnet_benches
)
foreach(tool IN LISTS _cli_tools)
  add_test(NAME cli_conventions_${tool}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_cli_conventions.sh
                   $<TARGET_FILE_DIR:${tool}> ${BITNET_TEST_DATA_DIR} ${tool})
  set_tests_properties(cli_conventions_${tool} PROPERTIES LABELS "cli;unit")
endforeach()
