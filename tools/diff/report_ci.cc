// CI-native formats: JUnit XML (Jenkins, GitLab test reports: one test case per benchmark, a
// regression or error is a failure) and OpenMetrics text (GitLab artifacts:reports:metrics).
#include <cmath>

#include <fmt/format.h>

#include "bitnet/diff/report.h"

namespace bitnet::diff {

namespace {

// OpenMetrics label values escape backslash, double quote and newline.
std::string label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string describe(const BenchmarkDiff& d) {
  std::string s = fmt::format("{}: {}", d.metric, to_string(d.verdict));
  if (d.n_baseline && d.n_contender)
    s += fmt::format(", median {} -> {} ({})", format_value(d.median_baseline, d.metric),
                     format_value(d.median_contender, d.metric), format_percent(d.change));
  if (d.has_p) s += fmt::format(", p = {:.3g}", d.p_value);
  if (!d.message.empty()) s += ", " + d.message;
  return s;
}

}  // namespace

std::string render_junit(const DiffReport& report) {
  std::size_t failures = 0, skipped = 0;
  std::string cases;
  for (const BenchmarkDiff& d : report.rows) {
    const bool fails = report.fails(d);
    const bool skip = d.verdict == Verdict::kSkipped || d.verdict == Verdict::kRemoved;
    cases += fmt::format("  <testcase classname=\"bench-diff.{}\" name=\"{}\">",
                         xml_escape(d.family), xml_escape(d.name));
    if (fails) {
      ++failures;
      cases += fmt::format("<failure message=\"{}\"/>", xml_escape(describe(d)));
    } else if (skip) {
      ++skipped;
      cases += fmt::format("<skipped message=\"{}\"/>", xml_escape(describe(d)));
    } else {
      cases += fmt::format("<system-out>{}</system-out>", xml_escape(describe(d)));
    }
    cases += "</testcase>\n";
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuite name=\"bench-diff\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n{}"
      "</testsuite>\n",
      report.rows.size(), failures, skipped, cases);
}

std::string render_metrics(const DiffReport& report) {
  std::string out;
  out += "# TYPE bench_diff_change gauge\n# HELP bench_diff_change relative change of the median\n";
  for (const BenchmarkDiff& d : report.rows)
    if (d.n_baseline && d.n_contender && std::isfinite(d.change))
      out +=
          fmt::format("bench_diff_change{{benchmark=\"{}\",metric=\"{}\",verdict=\"{}\"}} {:.6g}\n",
                      label(d.name), label(d.metric), to_string(d.verdict), d.change);
  out += "# TYPE bench_diff_geomean_ratio gauge\n";
  for (const FamilySummary& f : report.families)
    if (f.compared)
      out += fmt::format("bench_diff_geomean_ratio{{family=\"{}\"}} {:.6g}\n", label(f.family),
                         f.geomean_ratio);
  if (report.overall.compared)
    out += fmt::format("bench_diff_geomean_ratio{{family=\"overall\"}} {:.6g}\n",
                       report.overall.geomean_ratio);
  out += "# TYPE bench_diff_regressions gauge\n";
  out += fmt::format("bench_diff_regressions {}\n", report.count(Verdict::kRegression));
  return out;
}

}  // namespace bitnet::diff
