// Where a token's time goes: the frac_<part> counters of every decode / prefill row as one
// stacked bar each (per model, format, position or batch, thread count).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct BreakdownBar {
  std::string name;   // benchmark name
  std::string label;  // "decode tiny-tq2_0-... pos:16 threads:1"
  double ms_per_token = 0;
  // part -> share of the median repetition (by time), in the engine's step order
  std::vector<std::pair<std::string, double>> parts;
};

struct DecodeBreakdown {
  std::vector<std::string> parts;  // every part seen, in the engine's order
  std::vector<BreakdownBar> bars;
};

DecodeBreakdown decode_breakdown(const RunData& run);

}  // namespace bitnet::report
