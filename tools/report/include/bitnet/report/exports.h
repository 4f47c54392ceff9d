// Result files in dashboard formats:
// - github-action-benchmark's custom tools: customBiggerIsBetter (tokens/s of decode/prefill
//   rows, GB/s of every row with a byte rate) and customSmallerIsBetter (time per call, ns);
//   an array of {name, unit, value, range, extra}, one series per case.
// - Bencher Metric Format: {benchmark: {measure: {value, lower_value, upper_value}}} with
//   latency (ns), throughput (ops/s: tokens, items or multiply-adds per second) and every
//   counter as its own measure.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bitnet/report/run_data.h"

namespace bitnet::report {

enum class ExportFormat { kGithubBigger, kGithubSmaller, kBencher };

// "github-action-benchmark" (bigger is better), "github-action-benchmark-time" (smaller),
// "bencher"; throws std::invalid_argument otherwise.
ExportFormat parse_export_format(const std::string& text);

nlohmann::ordered_json export_github(const std::vector<const RunData*>& runs,
                                     bool bigger_is_better);
nlohmann::ordered_json export_bencher(const std::vector<const RunData*>& runs);

// A Bencher measure slug from a counter name: lower case, runs of other characters as '-'
// ("bytes_per_second" -> "bytes-per-second", "GOPS" -> "gops").
std::string measure_slug(const std::string& counter);

}  // namespace bitnet::report
