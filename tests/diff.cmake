# Tests of bench-diff (label diff) and of the nightly / setup / validate scripts.
bitnet_add_gtest(test_diff
  LABELS diff unit
  SOURCES test_diff_mann_whitney.cc test_diff_compare.cc test_diff_report.cc
  LIBS bitnet_diff)
