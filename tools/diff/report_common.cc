// Formatting shared by every renderer.
#include <cmath>

#include <fmt/format.h>

#include "bitnet/diff/report.h"

namespace bitnet::diff {

std::string format_value(double value, const std::string& metric) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (metric == "real_time" || metric == "cpu_time") {
    const double a = std::fabs(value);
    if (a >= 1e9) return fmt::format("{:.3g} s", value / 1e9);
    if (a >= 1e6) return fmt::format("{:.3g} ms", value / 1e6);
    if (a >= 1e3) return fmt::format("{:.3g} us", value / 1e3);
    return fmt::format("{:.3g} ns", value);
  }
  static constexpr struct {
    double scale;
    const char* prefix;
  } kSi[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& si : kSi)
    if (std::fabs(value) >= si.scale) return fmt::format("{:.3g}{}", value / si.scale, si.prefix);
  return fmt::format("{:.3g}", value);
}

std::string format_percent(double relative) {
  if (!std::isfinite(relative)) return relative > 0 ? "+inf%" : relative < 0 ? "-inf%" : "nan";
  return fmt::format("{:+.1f}%", relative * 100);
}

std::string summary_line(const DiffReport& report) {
  static constexpr Verdict kOrder[] = {
      Verdict::kRegression, Verdict::kErrored, Verdict::kImprovement, Verdict::kInconclusive,
      Verdict::kNoChange,   Verdict::kAdded,   Verdict::kRemoved,     Verdict::kSkipped};
  std::string out;
  for (Verdict v : kOrder) {
    const std::size_t n = report.count(v);
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", n, to_string(v));
  }
  return out.empty() ? "nothing compared" : out;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace bitnet::diff
