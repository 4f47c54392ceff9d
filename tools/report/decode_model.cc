#include "bitnet/report/decode_model.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace bitnet::report {

namespace {

// The engine's step order (docs/benchmarks.md, frac_<part>); unknown parts go last, by name.
const std::vector<std::string> kOrder = {
    "embed",      "norm",           "quant_act",        "matmul_qkv",  "rope_kv", "attention",
    "matmul_out", "matmul_gate_up", "ffn_act_residual", "matmul_down", "lm_head"};

std::size_t rank(const std::string& part) {
  auto it = std::find(kOrder.begin(), kOrder.end(), part);
  return static_cast<std::size_t>(it - kOrder.begin());
}

// The shares of the median repetition (by time): medians taken part by part come from different
// repetitions and need not add up to the whole token.
std::map<std::string, double> shares_of(const RunData& run, const Row& r) {
  auto it = run.results.benchmarks.find(r.name);
  if (it == run.results.benchmarks.end()) return r.median;
  const auto& samples = it->second.samples;
  auto times = samples.find("real_time");
  if (times == samples.end() || times->second.empty()) return r.median;
  std::vector<std::size_t> order(times->second.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return times->second[a] < times->second[b]; });
  const std::size_t median = order[(order.size() - 1) / 2];
  std::map<std::string, double> out;
  for (const auto& [metric, values] : samples) {
    if (!metric.starts_with("frac_")) continue;
    if (values.size() != times->second.size()) return r.median;  // not one value per repetition
    out[metric] = values[median];
  }
  return out;
}

}  // namespace

DecodeBreakdown decode_breakdown(const RunData& run) {
  DecodeBreakdown out;
  for (const Row& r : run.rows) {
    if (!r.parsed || !r.peer.empty()) continue;
    const std::string& family = r.parsed->family;
    if (family != "decode" && family != "prefill") continue;
    BreakdownBar bar;
    bar.name = r.name;
    bar.label = family + " " + r.label_at(0);
    for (const auto& [key, value] : r.parsed->args) bar.label += " " + key + ":" + value;
    const double tokens =
        family == "prefill" ? static_cast<double>(r.arg("tokens").value_or(1)) : 1;
    if (auto t = r.get("real_time")) bar.ms_per_token = *t / 1e6 / tokens;
    for (const auto& [metric, value] : shares_of(run, r))
      if (metric.starts_with("frac_")) {
        const std::string part = metric.substr(5);
        bar.parts.emplace_back(part, value);
        if (std::find(out.parts.begin(), out.parts.end(), part) == out.parts.end())
          out.parts.push_back(part);
      }
    if (bar.parts.empty()) continue;
    out.bars.push_back(std::move(bar));
  }
  auto by_rank = [](const std::string& a, const std::string& b) {
    return std::pair(rank(a), a) < std::pair(rank(b), b);
  };
  std::sort(out.parts.begin(), out.parts.end(), by_rank);
  for (BreakdownBar& b : out.bars)
    std::sort(b.parts.begin(), b.parts.end(),
              [&](const auto& x, const auto& y) { return by_rank(x.first, y.first); });
  return out;
}

}  // namespace bitnet::report
