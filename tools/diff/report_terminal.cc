// Plain-text table for a terminal; ANSI colours only when asked (the caller checks for a TTY).
#include <algorithm>

#include <fmt/format.h>

#include "bitnet/diff/report.h"
#include "bitnet/diff/report_table.h"

namespace bitnet::diff {

namespace {

const char* color_of(Verdict v) {
  switch (v) {
    case Verdict::kRegression:
    case Verdict::kErrored:
      return "\033[1;31m";
    case Verdict::kImprovement:
      return "\033[1;32m";
    case Verdict::kInconclusive:
      return "\033[33m";
    case Verdict::kNoChange:
      return "\033[2m";
    default:
      return "\033[36m";
  }
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string render_terminal(const DiffReport& report, bool color) {
  std::vector<std::string> notes;
  std::vector<TableRow> rows = table_rows(report, notes);
  std::vector<std::string> header = table_header();
  for (TableRow& r : rows)
    for (int id : r.note_ids) r.cells.back() += fmt::format(" [{}]", id);
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const TableRow& r : rows) width[c] = std::max(width[c], r.cells[c].size());
  }
  std::string out = fmt::format("baseline:  {}\ncontender: {}\n\n", report.baseline_source,
                                report.contender_source);
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t c = 0; c < cells.size(); ++c)
      s += (c ? "  " : "") + (c + 1 == cells.size() ? cells[c] : pad(cells[c], width[c]));
    return s + "\n";
  };
  out += line(header);
  std::size_t total = 0;
  for (std::size_t w : width) total += w + 2;
  out += std::string(total - 2, '-') + "\n";
  for (const TableRow& r : rows) {
    const std::string l = line(r.cells);
    out += color ? std::string(color_of(r.verdict)) + l.substr(0, l.size() - 1) + "\033[0m\n" : l;
  }
  if (!notes.empty()) {
    out += "\nNotes:\n";
    for (std::size_t i = 0; i < notes.size(); ++i)
      out += fmt::format("  [{}] {}\n", i + 1, notes[i]);
  }
  out += "\nGeometric mean of contender/baseline medians:\n";
  for (const FamilySummary& f : report.families)
    if (f.compared)
      out += fmt::format("  {:<40} {:>8}  ({}, {} benchmarks)\n", f.family,
                         format_percent(f.geomean_ratio - 1), f.metric, f.compared);
  if (report.overall.compared)
    out += fmt::format("  {:<40} {:>8}  ({}, {} benchmarks)\n", "overall",
                       format_percent(report.overall.geomean_ratio - 1), report.overall.metric,
                       report.overall.compared);
  for (const std::string& w : report.warnings) out += "\nwarning: " + w + "\n";
  const std::string verdict = report.outcome();
  out += "\n";
  if (color)
    out += report.failed() ? "\033[1;31m" : report.inconclusive() ? "\033[1;33m" : "\033[1;32m";
  out += verdict + ": " + summary_line(report);
  if (color) out += "\033[0m";
  return out + "\n";
}

}  // namespace bitnet::diff
