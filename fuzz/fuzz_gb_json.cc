// libFuzzer target for bench-diff's Google Benchmark JSON reader: any bytes must load or throw
// InputError / json::parse_error (never overflow the stack on deep nesting), and a loaded set
// must hold only finite samples, positive times. Build: the `fuzz` preset.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "bitnet/results/results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bitnet::diff;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ResultSet set = parse_results_text(text, "fuzz.json");
    for (const auto& [name, b] : set.benchmarks)
      for (const auto& [metric, values] : b.samples)
        for (double v : values) {
          if (!std::isfinite(v)) __builtin_trap();
          if ((metric == "real_time" || metric == "cpu_time") && !(v > 0)) __builtin_trap();
        }
  } catch (const InputError&) {
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
