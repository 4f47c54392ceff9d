# Tests of bench-diff (label diff) and of the nightly / setup / validate scripts.
bitnet_add_gtest(test_diff
  LABELS diff unit
  SOURCES test_diff_mann_whitney.cc test_diff_verdicts.cc test_diff_report.cc
          test_diff_pairwise_select.cc
  LIBS bitnet_diff)

# What the cases below start: bench-diff. test_diff_validate.sh also uses the other tools when
# they are built, and checks fewer things when they are not.
bitnet_label_targets(diff bench-diff)
# Command-line and script tests (bash). They use only bench-diff and crafted data, so they pass
# whatever state the other components are in.
find_program(BITNET_BASH bash REQUIRED)
add_test(NAME diff_cli
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/test_diff_cli.sh
                 $<TARGET_FILE:bench-diff> ${BITNET_TEST_DATA_DIR}/diff)
add_test(NAME diff_nightly
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/test_diff_nightly.sh
                 ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME diff_perf_loop
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/test_diff_perf_loop.sh
                 ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME diff_validate
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/test_diff_validate.sh
                 ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME diff_setup
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/test_diff_setup.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(diff_cli diff_nightly diff_perf_loop diff_validate diff_setup PROPERTIES LABELS "diff" TIMEOUT 120)
