#include "bitnet/bench/gbench_flags.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace bitnet::bench {

std::optional<std::string> invalid_gbench_flag(const std::vector<char*>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i]) continue;
    const std::string_view a = args[i];
    const auto eq = a.find('=');
    const std::string_view name = a.substr(0, eq), value = eq == a.npos ? "" : a.substr(eq + 1);
    if (name == "--benchmark_repetitions") {
      long long v = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v < 1 || v > 1000000)
        return std::string(a) + ": expected a whole number of repetitions in 1..1000000";
    } else if (name == "--benchmark_min_time" || name == "--benchmark_min_warmup_time") {
      const std::string v(value);
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      // A trailing 's' is handled (and rewritten) by the caller for --benchmark_min_time.
      const bool suffix = end && *end == 's' && end[1] == '\0';
      if (v.empty() || !end || (*end != '\0' && !suffix) || !std::isfinite(d) || d < 0)
        return std::string(a) + ": expected a number of seconds >= 0";
    }
  }
  return std::nullopt;
}

}  // namespace bitnet::bench
