#include "bitnet/diff/report_table.h"

#include <fmt/format.h>

#include "bitnet/diff/report.h"

namespace bitnet::diff {

std::vector<std::string> table_header() {
  return {"Benchmark", "Metric", "Baseline", "Contender", "Change", "CI", "p", "n", "Verdict"};
}

std::vector<TableRow> table_rows(const DiffReport& report, std::vector<std::string>& notes) {
  std::vector<TableRow> out;
  for (const BenchmarkDiff& d : report.rows) {
    TableRow r;
    r.verdict = d.verdict;
    const bool compared = d.n_baseline > 0 && d.n_contender > 0;
    const std::string metric =
        d.metric + (d.direction == Direction::kHigherIsBetter ? " (higher=better)" : "");
    std::string verdict(to_string(d.verdict));
    if (d.ignored) verdict += " (ignored)";
    r.cells = {d.name,
               metric,
               compared ? format_value(d.median_baseline, d.metric) : "-",
               compared ? format_value(d.median_contender, d.metric) : "-",
               compared ? format_percent(d.change) : "-",
               d.has_ci
                   ? fmt::format("[{}, {}]", format_percent(d.ci_low), format_percent(d.ci_high))
                   : "-",
               d.has_p ? fmt::format("{:.3g}", d.p_value) : "-",
               compared ? fmt::format("{}/{}", d.n_baseline, d.n_contender) : "-",
               verdict};
    if (!d.message.empty()) {
      notes.push_back(d.name + ": " + d.message);
      r.note_ids.push_back(static_cast<int>(notes.size()));
    }
    for (const std::string& n : d.notes) {
      notes.push_back(d.name + ": " + n);
      r.note_ids.push_back(static_cast<int>(notes.size()));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace bitnet::diff
