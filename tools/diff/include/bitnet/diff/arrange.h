// The rows of a diff in the order a person reads them: what changed first, biggest effect first,
// unchanged rows optionally left out. Shared by bench-diff's people view and bench-report's chart.
#pragma once

#include <vector>

#include "bitnet/diff/verdicts.h"

namespace bitnet::diff {

enum class RowOrder { kInput, kEffect };

struct ArrangeOptions {
  RowOrder order = RowOrder::kInput;
  bool changed_only = false;  // drop no-change and skipped rows
};

// Whether a verdict is something to look at: regression, improvement, inconclusive, errored,
// added or removed.
bool is_change(Verdict v);

// |log(median_contender / median_baseline)|: a halving and a doubling weigh the same. Rows
// without a finite change sort as 0.
double effect_size(const BenchmarkDiff& d);

// The report's rows, filtered and ordered. kEffect: regressions and errors, then improvements,
// inconclusive, added/removed, then the rest; within a group by effect size, largest first, then
// by name (stable for equal effects).
std::vector<const BenchmarkDiff*> arrange(const DiffReport& report, const ArrangeOptions& opts);

}  // namespace bitnet::diff
