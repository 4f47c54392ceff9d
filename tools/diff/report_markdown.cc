// GitHub/GitLab-flavoured Markdown: the verdict first, the rows that matter in the open, the rest
// folded in <details> so a PR comment stays short.
#include <fmt/format.h>

#include "bitnet/diff/report.h"
#include "bitnet/diff/report_table.h"

namespace bitnet::diff {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '<' || c == '>' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

bool notable(Verdict v) {
  return v == Verdict::kRegression || v == Verdict::kErrored || v == Verdict::kImprovement ||
         v == Verdict::kInconclusive;
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<const TableRow*>& rows) {
  std::string out = "|";
  for (const std::string& h : header) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i)
    out += i == 0 || i == 1 || i + 1 == header.size() ? " --- |" : " ---: |";
  out += "\n";
  for (const TableRow* r : rows) {
    out += "|";
    for (std::size_t c = 0; c < r->cells.size(); ++c) {
      std::string cell = escape(r->cells[c]);
      if (c + 1 == r->cells.size()) {
        if (r->verdict == Verdict::kRegression || r->verdict == Verdict::kErrored)
          cell = "**" + cell + "**";
        for (int id : r->note_ids) cell += fmt::format(" [{}]", id);
      }
      out += " " + cell + " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render_markdown(const DiffReport& report) {
  std::vector<std::string> notes;
  const std::vector<TableRow> rows = table_rows(report, notes);
  std::vector<const TableRow*> top, rest;
  for (const TableRow& r : rows) (notable(r.verdict) ? top : rest).push_back(&r);

  std::string out =
      fmt::format("### bench-diff: {} — {}\n\n", report.outcome(), summary_line(report));
  out += fmt::format(
      "Baseline `{}` · contender `{}`. Flagged only when p < {:g} **and** "
      "|change| >= {:g} % (families may override); CI: the {:g} % "
      "distribution-free interval of the change (Mann-Whitney/Moses).\n\n",
      report.baseline_source, report.contender_source, report.alpha, report.min_change * 100,
      100 * (1 - report.alpha));
  const std::vector<std::string> header = table_header();
  if (!top.empty()) out += table(header, top) + "\n";
  if (!rest.empty()) {
    out += fmt::format("<details><summary>{} other benchmark(s)</summary>\n\n", rest.size());
    out += table(header, rest) + "\n</details>\n\n";
  }
  if (report.overall.compared) {
    out +=
        "| Family | Metric | Geomean change | Benchmarks | Regressions | Improvements |\n"
        "| --- | --- | ---: | ---: | ---: | ---: |\n";
    for (const FamilySummary& f : report.families)
      if (f.compared)
        out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", escape(f.family), escape(f.metric),
                           format_percent(f.geomean_ratio - 1), f.compared, f.regressions,
                           f.improvements);
    out += fmt::format("| **overall** | {} | **{}** | {} | {} | {} |\n\n",
                       escape(report.overall.metric),
                       format_percent(report.overall.geomean_ratio - 1), report.overall.compared,
                       report.overall.regressions, report.overall.improvements);
  }
  if (!notes.empty()) {
    out += "Notes:\n\n";
    for (std::size_t i = 0; i < notes.size(); ++i)
      out += fmt::format("{}. {}\n", i + 1, escape(notes[i]));
    out += "\n";
  }
  for (const std::string& w : report.warnings) out += "> **Warning:** " + escape(w) + "\n";
  return out;
}

}  // namespace bitnet::diff
