#include <fmt/format.h>

#include "bitnet/report/exports.h"

namespace bitnet::report {

ExportFormat parse_export_format(const std::string& text) {
  if (text == "github-action-benchmark") return ExportFormat::kGithubBigger;
  if (text == "github-action-benchmark-time") return ExportFormat::kGithubSmaller;
  if (text == "bencher") return ExportFormat::kBencher;
  throw std::invalid_argument(
      "--export: expected github-action-benchmark, "
      "github-action-benchmark-time or bencher, got \"" +
      text + "\"");
}

namespace {

std::string case_name(const Row& r) {
  std::string name = r.name;
  if (name.ends_with("/real_time")) name.resize(name.size() - 10);
  return name;
}

std::string extra_of(const Row& r, const RunData& run) {
  std::string extra = fmt::format("median of {} repetition(s)", r.repetitions);
  if (!r.label.empty()) extra += "; kernel " + r.label;
  if (run.context.is_object()) {
    if (auto c = run.context.value("bitnet_git_commit", std::string()); !c.empty())
      extra += "; commit " + c;
    if (auto c = run.context.value("bitnet_cpu_model", std::string()); !c.empty())
      extra += "; " + c;
  }
  return extra;
}

}  // namespace

nlohmann::ordered_json export_github(const std::vector<const RunData*>& runs,
                                     bool bigger_is_better) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const RunData* run : runs)
    for (const Row& r : run->rows) {
      if (r.errored || r.skipped || r.median.empty()) continue;
      // One series per case: tokens/s where the case has it, else its byte rate; time for the
      // smaller-is-better file.
      const bool tokens = r.get("tokens_per_second").has_value();
      const bool bytes = r.get("bytes_per_second").has_value();
      if (bigger_is_better && !tokens && !bytes) continue;
      const std::string metric = !bigger_is_better ? "real_time"
                                 : tokens          ? "tokens_per_second"
                                                   : "bytes_per_second";
      const std::string unit = !bigger_is_better ? "ns" : tokens ? "tokens/s" : "GB/s";
      const double scale = bigger_is_better && !tokens ? 1e-9 : 1;
      auto v = r.get(metric);
      if (!v) continue;
      nlohmann::ordered_json e;
      e["name"] = case_name(r);
      e["unit"] = unit;
      e["value"] = *v * scale;
      if (r.repetitions > 1)
        e["range"] = fmt::format("± {:.4g}", (r.high.at(metric) - r.low.at(metric)) * scale / 2);
      e["extra"] = extra_of(r, *run);
      out.push_back(std::move(e));
    }
  return out;
}

}  // namespace bitnet::report
