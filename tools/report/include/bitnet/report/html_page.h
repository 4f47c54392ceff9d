// Assembles the report: one self-contained HTML file (inline CSS and SVG, no script, no
// external resource; a Content-Security-Policy forbids fetching anything).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bitnet/diff/verdicts.h"
#include "bitnet/report/history_model.h"
#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct ReportInputs {
  std::vector<RunData> runs;     // the result files, in command-line order
  std::vector<RunData> history;  // oldest first; empty without --history
  std::string history_source;
  std::optional<diff::DiffReport> diff;  // --diff BASELINE against the first result file
  HistoryOptions history_opts;
  double flag_threshold = 0.05;  // kernel summary: a not-best dispatch pick this much slower
};

std::string render_html(const ReportInputs& in);

}  // namespace bitnet::report
