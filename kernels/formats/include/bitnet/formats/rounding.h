// The rounding the quantizers share with ggml (one copy: weights and activations must agree).
#pragma once

#include <cstdint>
#include <cstring>

namespace bitnet {

// ggml's nearest_int: round to nearest, ties to even, via the 1.5*2^23 trick. Valid for
// |f| <= 4194303 (callers only pass values within ±128·(1+ε)).
inline int nearest_int(float f) {
  const float v = f + 12582912.f;
  int32_t i;
  std::memcpy(&i, &v, sizeof i);
  return (i & 0x007fffff) - 0x00400000;
}

}  // namespace bitnet
