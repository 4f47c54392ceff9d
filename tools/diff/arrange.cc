#include "bitnet/diff/arrange.h"

#include <algorithm>
#include <cmath>

namespace bitnet::diff {

namespace {

int group_of(const BenchmarkDiff& d) {
  switch (d.verdict) {
    case Verdict::kRegression:
    case Verdict::kErrored:
      return 0;
    case Verdict::kImprovement:
      return 1;
    case Verdict::kInconclusive:
      return 2;
    case Verdict::kAdded:
    case Verdict::kRemoved:
      return 3;
    default:
      return 4;
  }
}

}  // namespace

bool is_change(Verdict v) {
  return v != Verdict::kNoChange && v != Verdict::kSkipped;
}

double effect_size(const BenchmarkDiff& d) {
  const double ratio = 1 + d.change;
  if (!std::isfinite(ratio) || ratio <= 0) return d.change > 0 ? INFINITY : 0;
  return std::fabs(std::log(ratio));
}

std::vector<const BenchmarkDiff*> arrange(const DiffReport& report, const ArrangeOptions& opts) {
  std::vector<const BenchmarkDiff*> rows;
  for (const BenchmarkDiff& d : report.rows)
    if (!opts.changed_only || is_change(d.verdict)) rows.push_back(&d);
  if (opts.order == RowOrder::kEffect)
    std::stable_sort(rows.begin(), rows.end(), [](const BenchmarkDiff* a, const BenchmarkDiff* b) {
      const int ga = group_of(*a), gb = group_of(*b);
      if (ga != gb) return ga < gb;
      const double ea = effect_size(*a), eb = effect_size(*b);
      if (ea != eb) return ea > eb;
      return a->name < b->name;
    });
  return rows;
}

}  // namespace bitnet::diff
