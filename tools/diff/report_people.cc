// The terminal view for people: per-family summary lines first, then the rows that changed,
// largest effect first. The full table (render_terminal) stays the default.
#include <fmt/format.h>

#include "bitnet/diff/arrange.h"
#include "bitnet/diff/report.h"
#include "bitnet/diff/report_table.h"

namespace bitnet::diff {

namespace {

std::string family_line(const FamilySummary& f, std::size_t unchanged) {
  std::string counts;
  auto add = [&](std::size_t n, const char* what) {
    if (n == 0) return;
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, what);
  };
  add(f.regressions, "regression");
  add(f.errors, "errored");
  add(f.improvements, "improvement");
  add(f.inconclusive, "inconclusive");
  add(unchanged, "no change");
  return fmt::format("  {:<12} {:>8}  {:<24} {}\n", f.family,
                     f.compared ? format_percent(f.geomean_ratio - 1) : "-",
                     fmt::format("({}, {} compared)", f.metric, f.compared), counts);
}

}  // namespace

std::string render_people(const DiffReport& report, const ArrangeOptions& opts, bool color) {
  std::string out = fmt::format("baseline:  {}\ncontender: {}\n\n", report.baseline_source,
                                report.contender_source);
  out += "Per family (geometric mean of contender/baseline medians):\n";
  for (const FamilySummary& f : report.families) {
    std::size_t unchanged = 0;
    for (const BenchmarkDiff& d : report.rows)
      if (d.family == f.family && d.verdict == Verdict::kNoChange) ++unchanged;
    out += family_line(f, unchanged);
  }
  if (report.overall.compared)
    out += fmt::format("  {:<12} {:>8}  ({}, {} compared)\n", "overall",
                       format_percent(report.overall.geomean_ratio - 1), report.overall.metric,
                       report.overall.compared);

  // The table renderer works on a report; give it one holding the arranged rows only, so the
  // cells, notes and colours are exactly the full table's.
  DiffReport shown = report;
  shown.rows.clear();
  for (const BenchmarkDiff* d : arrange(report, opts)) shown.rows.push_back(*d);
  const std::size_t hidden = report.rows.size() - shown.rows.size();
  out += fmt::format("\n{}{}:\n", opts.changed_only ? "Changed rows" : "All rows",
                     opts.order == RowOrder::kEffect ? ", largest effect first" : "");
  if (shown.rows.empty()) {
    out += "  (none)\n";
  } else {
    std::string table = render_terminal(shown, color);
    // Keep the table and its notes; the summary lines come from the whole report below.
    const std::size_t start = table.find("\n\n");
    const std::size_t end = table.find("\nGeometric mean of");
    out += table.substr(start == std::string::npos ? 0 : start + 2,
                        end == std::string::npos ? std::string::npos : end - start - 2);
  }
  if (hidden)
    out += fmt::format(
        "\n{} row(s) without change hidden (drop --changed-only for the full table)\n", hidden);
  for (const std::string& w : report.warnings) out += "\nwarning: " + w + "\n";
  out += "\n";
  if (color) out += report.failed() ? "\033[1;31m" : "\033[1;32m";
  out += std::string(report.failed() ? "FAIL" : "PASS") + ": " + summary_line(report);
  if (color) out += "\033[0m";
  return out + "\n";
}

}  // namespace bitnet::diff
