#include "bitnet/bench/checks.h"

#include <bit>
#include <cstdint>
#include <cstdio>

namespace bitnet::bench {

std::string compare_exact(std::span<const float> got, std::span<const float> want,
                          std::string_view what) {
  if (got.size() != want.size())
    return std::string(what) + ": " + std::to_string(got.size()) + " values, expected " +
           std::to_string(want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want[i])) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "%.*s differs from the scalar reference at [%zu]: %.9g vs %.9g",
                    static_cast<int>(what.size()), what.data(), i, got[i], want[i]);
      return buf;
    }
  }
  return {};
}

}  // namespace bitnet::bench
