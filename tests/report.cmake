# Tests of bench-report (label report): the model, charts and exports (unit), the command line,
# and the page in a real browser (headless Chromium; skipped only when it is not installed).
bitnet_add_gtest(test_report
  LABELS report unit
  SOURCES test_report.cc
  LIBS bitnet_report_render)

add_test(NAME report_cli
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/report/test_report_cli.sh
                 $<TARGET_FILE:bench-report> ${BITNET_TEST_DATA_DIR}/report)
add_test(NAME report_browser
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/report/test_report_browser.sh
                 $<TARGET_FILE:bench-report> ${BITNET_TEST_DATA_DIR}/report)
# Exit 77: the browser is not installed (CI installs it: ci/install-deps.sh).
set_tests_properties(report_browser PROPERTIES SKIP_RETURN_CODE 77)
set_tests_properties(report_cli report_browser PROPERTIES LABELS "report" TIMEOUT 240)

add_test(NAME diff_people
         COMMAND ${BITNET_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/test_diff_people.sh
                 $<TARGET_FILE:bench-diff> ${BITNET_TEST_DATA_DIR})
set_tests_properties(diff_people PROPERTIES LABELS "diff" TIMEOUT 60)
