#include "bitnet/report/diff_model.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "bitnet/diff/arrange.h"
#include "bitnet/diff/report.h"

namespace bitnet::report {

DiffChart diff_chart(const diff::DiffReport& report, std::size_t max_rows) {
  DiffChart c;
  c.summary = std::string(report.failed() ? "FAIL" : "PASS") + ": " + diff::summary_line(report);
  c.min_change = report.min_change;
  c.alpha = report.alpha;
  auto compared = [](const diff::BenchmarkDiff& d) {
    return d.n_baseline && d.n_contender && std::isfinite(d.change);
  };
  for (const diff::BenchmarkDiff* d :
       diff::arrange(report, {diff::RowOrder::kEffect, /*changed_only=*/true})) {
    if (!compared(*d)) continue;
    if (c.rows.size() >= max_rows) {
      ++c.not_drawn;
      continue;
    }
    c.rows.push_back(
        {d->name, d->verdict, d->change, d->has_ci, d->ci_low, d->ci_high, 0, d->metric});
  }
  std::map<std::string, std::vector<double>> unchanged;  // family -> changes
  std::vector<std::string> order;
  for (const diff::BenchmarkDiff& d : report.rows) {
    if (d.verdict != diff::Verdict::kNoChange || !compared(d)) continue;
    auto [it, inserted] = unchanged.try_emplace(d.family);
    if (inserted) order.push_back(d.family);
    it->second.push_back(d.change);
  }
  for (const std::string& f : order) {
    std::vector<double>& v = unchanged[f];
    std::sort(v.begin(), v.end());
    const double median =
        v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    c.rows.push_back({f + "/* (" + std::to_string(v.size()) + " without change)",
                      diff::Verdict::kNoChange, median, true, v.front(), v.back(), v.size(), ""});
  }
  return c;
}

}  // namespace bitnet::report
