// Machine-readable report: every number the other renderers show, plus the inputs and settings.
#include <cmath>

#include "bitnet/diff/report.h"

namespace bitnet::diff {

namespace {

// JSON has no Infinity/NaN: write null for them.
nlohmann::ordered_json num(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
}

nlohmann::ordered_json family_json(const FamilySummary& f) {
  return {{"family", f.family},
          {"metric", f.metric},
          {"compared", f.compared},
          {"geomean_ratio", num(f.geomean_ratio)},
          {"geomean_change", num(f.geomean_ratio - 1)},
          {"regressions", f.regressions},
          {"improvements", f.improvements},
          {"inconclusive", f.inconclusive},
          {"errors", f.errors}};
}

}  // namespace

nlohmann::ordered_json render_json(const DiffReport& report) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const BenchmarkDiff& d : report.rows) {
    nlohmann::ordered_json r = {{"name", d.name},
                                {"family", d.family},
                                {"metric", d.metric},
                                {"direction", std::string(to_string(d.direction))},
                                {"verdict", std::string(to_string(d.verdict))},
                                {"ignored", d.ignored},
                                {"alpha", d.alpha},
                                {"min_change", d.min_change},
                                {"n_baseline", d.n_baseline},
                                {"n_contender", d.n_contender}};
    if (d.n_baseline && d.n_contender) {
      r["median_baseline"] = num(d.median_baseline);
      r["median_contender"] = num(d.median_contender);
      r["change"] = num(d.change);
      r["min_possible_p"] = num(d.min_p);
    }
    if (d.has_p) {
      r["p_value"] = num(d.p_value);
      r["u_test_method"] = std::string(to_string(d.method));
    }
    if (d.has_ci) r["ci"] = {num(d.ci_low), num(d.ci_high)};
    if (!d.message.empty()) r["message"] = d.message;
    if (!d.notes.empty()) r["notes"] = d.notes;
    if (!d.aggregates_baseline.empty() || !d.aggregates_contender.empty())
      r["aggregates"] = {{"baseline", d.aggregates_baseline},
                         {"contender", d.aggregates_contender}};
    rows.push_back(std::move(r));
  }
  nlohmann::ordered_json families = nlohmann::ordered_json::array();
  for (const FamilySummary& f : report.families) families.push_back(family_json(f));
  nlohmann::ordered_json counts;
  for (Verdict v :
       {Verdict::kRegression, Verdict::kImprovement, Verdict::kNoChange, Verdict::kInconclusive,
        Verdict::kAdded, Verdict::kRemoved, Verdict::kSkipped, Verdict::kErrored})
    counts[std::string(to_string(v))] = report.count(v);
  return {{"tool", "bench-diff"},
          {"result", report.failed()         ? "fail"
                     : report.inconclusive() ? "inconclusive"
                                             : "pass"},
          {"summary", summary_line(report)},
          {"baseline", {{"source", report.baseline_source}, {"files", report.baseline_files}}},
          {"contender", {{"source", report.contender_source}, {"files", report.contender_files}}},
          {"settings",
           {{"alpha", report.alpha},
            {"min_change", report.min_change},
            {"errors_fail", report.errors_fail},
            {"removed_fail", report.removed_fail}}},
          {"counts", counts},
          {"regressions", report.regressions()},
          {"benchmarks", rows},
          {"families", families},
          {"overall", family_json(report.overall)},
          {"warnings", report.warnings}};
}

}  // namespace bitnet::diff
