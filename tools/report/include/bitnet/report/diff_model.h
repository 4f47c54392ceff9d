// A bench-diff report as chart rows: the rows that changed first (largest effect first), then
// one folded row per family for everything without change (count and range of its changes).
#pragma once

#include <string>
#include <vector>

#include "bitnet/diff/verdicts.h"

namespace bitnet::report {

struct DiffChartRow {
  std::string label;
  diff::Verdict verdict = diff::Verdict::kNoChange;
  double change = 0;  // relative change of the metric (folded: median of the family's changes)
  bool has_ci = false;
  double ci_low = 0, ci_high = 0;  // folded: smallest and largest change of the family
  std::size_t folded = 0;          // rows folded into this one (0: a single benchmark)
  std::string metric;
};

struct DiffChart {
  std::string summary;  // "PASS: 2 regression, 40 no change"
  double min_change = 0.05, alpha = 0.05;
  std::vector<DiffChartRow> rows;
  std::size_t not_drawn = 0;  // changed rows beyond max_rows (listed in the table only)
};

DiffChart diff_chart(const diff::DiffReport& report, std::size_t max_rows = 300);

}  // namespace bitnet::report
