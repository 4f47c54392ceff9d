// The output check of every benchmark: kernels must match the scalar reference bit for bit.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace bitnet::bench {

// Bit-exact comparison of float outputs; returns an empty string when equal, else a message
// naming the first differing index and both values.
std::string compare_exact(std::span<const float> got, std::span<const float> want,
                          std::string_view what);

}  // namespace bitnet::bench
