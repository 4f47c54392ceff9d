# bench-diff: regression verdicts from two Google Benchmark JSON results (docs/diff.md).
add_library(bitnet_diff STATIC
  diff/mann_whitney.cc
  diff/results.cc
  diff/compare.cc
  diff/report_common.cc
  diff/report_table.cc
  diff/report_terminal.cc
  diff/report_markdown.cc
  diff/report_json.cc
  diff/report_svg.cc
  diff/report_ci.cc)
target_include_directories(bitnet_diff PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/diff)
target_link_libraries(bitnet_diff PUBLIC nlohmann_json::nlohmann_json PRIVATE fmt::fmt)

add_executable(bench-diff diff/main.cc)
target_link_libraries(bench-diff PRIVATE bitnet_diff)
