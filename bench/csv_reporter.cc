#include "bitnet/bench/csv_reporter.h"

#include <cmath>
#include <ostream>
#include <set>
#include <string>

namespace bitnet::bench {
namespace {

// Quoted, with embedded quotes doubled (RFC 4180).
std::string escape(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

bool UnionCsvReporter::ReportContext(const Context& context) {
  if (print_context_) PrintBasicContext(&GetErrorStream(), context);
  return true;
}

void UnionCsvReporter::ReportRuns(const std::vector<Run>& runs) {
  runs_.insert(runs_.end(), runs.begin(), runs.end());
}

void UnionCsvReporter::Finalize() {
  std::set<std::string> counters;
  for (const Run& r : runs_)
    for (const auto& [name, c] : r.counters)
      if (name != "bytes_per_second" && name != "items_per_second") counters.insert(name);
  std::ostream& out = GetOutputStream();
  out << "name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,label,"
         "error_occurred,error_message";
  for (const std::string& n : counters) out << "," << escape(n);
  out << "\n";
  for (const Run& r : runs_) {
    out << escape(r.benchmark_name()) << ",";
    if (r.error_occurred) {
      out << ",,,,,," << escape(r.report_label) << ",true," << escape(r.error_message);
    } else {
      if (!r.report_big_o && !r.report_rms) out << r.iterations;
      out << "," << r.GetAdjustedRealTime() << "," << r.GetAdjustedCPUTime() << ",";
      if (!r.report_big_o && !r.report_rms) out << benchmark::GetTimeUnitString(r.time_unit);
      out << ",";
      if (auto it = r.counters.find("bytes_per_second"); it != r.counters.end())
        out << static_cast<double>(it->second);
      out << ",";
      if (auto it = r.counters.find("items_per_second"); it != r.counters.end())
        out << static_cast<double>(it->second);
      out << ",";
      if (!r.report_label.empty()) out << escape(r.report_label);
      out << ",false,";
    }
    for (const std::string& n : counters) {
      out << ",";
      if (auto it = r.counters.find(n); it != r.counters.end() && !r.error_occurred)
        out << static_cast<double>(it->second);
    }
    out << "\n";
  }
  out.flush();
  runs_.clear();
}

void FiniteJsonReporter::ReportRuns(const std::vector<Run>& runs) {
  std::vector<Run> copy = runs;
  for (Run& r : copy)
    if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "cv")
      for (auto& [name, c] : r.counters)
        if (!std::isfinite(c.value)) c.value = 0;
  JSONReporter::ReportRuns(copy);
}

}  // namespace bitnet::bench
