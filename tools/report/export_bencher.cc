#include <cctype>

#include "bitnet/report/exports.h"

namespace bitnet::report {

std::string measure_slug(const std::string& counter) {
  std::string slug;
  for (char c : counter) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u))
      slug += static_cast<char>(std::tolower(u));
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.substr(0, 64);  // Bencher's limit for a measure slug
}

namespace {

// Operations per second for Bencher's built-in throughput measure: tokens for the model rows,
// multiply-adds for matmul (GOPS), elements for dequant / quant_act.
std::optional<std::pair<std::string, double>> throughput_of(const Row& r) {
  if (r.get("tokens_per_second")) return std::pair(std::string("tokens_per_second"), 1.0);
  if (r.get("GOPS")) return std::pair(std::string("GOPS"), 1e9);
  if (r.get("items_per_second")) return std::pair(std::string("items_per_second"), 1.0);
  return std::nullopt;
}

}  // namespace

nlohmann::ordered_json export_bencher(const std::vector<const RunData*>& runs) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const RunData* run : runs)
    for (const Row& r : run->rows) {
      if (r.errored || r.skipped || r.median.empty()) continue;
      std::string name = r.name;
      if (name.ends_with("/real_time")) name.resize(name.size() - 10);
      nlohmann::ordered_json measures = nlohmann::ordered_json::object();
      auto metric = [&](const std::string& key, double scale) {
        nlohmann::ordered_json m;
        m["value"] = r.median.at(key) * scale;
        if (auto lo = r.low.find(key); lo != r.low.end()) {
          m["lower_value"] = lo->second * scale;
          m["upper_value"] = r.high.at(key) * scale;
        }
        return m;
      };
      if (r.get("real_time")) measures["latency"] = metric("real_time", 1);
      if (auto t = throughput_of(r)) measures["throughput"] = metric(t->first, t->second);
      for (const auto& [key, value] : r.median)
        if (key != "real_time" && key != "cpu_time") measures[measure_slug(key)] = metric(key, 1);
      out[name] = std::move(measures);
    }
  return out;
}

}  // namespace bitnet::report
