// A machine's history (the nightly baseline store: one result file per clean run): tokens/s of
// every decode / prefill case and the time of every dispatched GEMV, run by run, with the runs
// where bench-diff's rule (U test + threshold against the preceding runs) calls a regression.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct HistoryPoint {
  std::size_t run = 0;  // index into HistoryChart::runs
  double value = 0;
  bool regression = false;
  double change = 0;  // vs the pooled preceding runs (bench-diff's change of the median)
};

struct HistorySeries {
  std::string name;  // benchmark name
  std::vector<HistoryPoint> points;
};

struct HistoryChart {
  std::string title;              // "Decode / prefill tokens/s"
  std::string metric;             // tokens_per_second or real_time
  std::string unit;               // "tokens/s", "us"
  double scale = 1;               // value = metric / scale
  std::vector<std::string> runs;  // x axis: date (or file name) per run, oldest first
  std::vector<HistorySeries> series;
};

struct HistoryOptions {
  std::size_t depth = 5;  // preceding runs pooled as the baseline of each run
  double alpha = 0.05, min_change = 0.05;
  int threads = 0;  // GEMV rows at this thread count only (0: the largest in the runs)
};

// Reads every *.json in `dir` (or, when `dir` has none, its subfolder named after the
// runs' nightly_machine_key), oldest first by context.date then file name.
std::vector<RunData> load_history(const std::filesystem::path& dir, const std::string& machine_key);

// Two charts: decode/prefill tokens/s, dispatched GEMV time. `runs` oldest first.
std::vector<HistoryChart> history_charts(const std::vector<RunData>& runs,
                                         const HistoryOptions& opts);

}  // namespace bitnet::report
