// I2_S weight quantizer, byte-exact with bitnet.cpp's quantize_i2_s (2024, x86 layout):
// scale = max|x| over the whole tensor; code 1 when |x| < 1e-6, else 2 when x*scale > 0, else 0.
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitnet/formats/quantize.h"

namespace bitnet {

void quantize_i2_s(const float* x, uint8_t* dst, int64_t n) {
  if (n < 0 || n % kI2sBlock != 0)
    throw std::invalid_argument("quantize_i2_s: n = " + std::to_string(n) +
                                " is not a multiple of the 128-element I2_S block");
  double max = 0;
  for (int64_t i = 0; i < n; ++i) max = std::fmax(max, std::fabs(static_cast<double>(x[i])));
  const double scale = max;
  std::memset(dst, 0, static_cast<size_t>(n / 4) + kI2sTrailerBytes);
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    const uint8_t code = std::fabs(v) < 1e-6 ? 1 : (v * scale > 0 ? 2 : 0);
    const int64_t j = i % kI2sBlock;
    dst[(i / kI2sBlock) * 32 + j % 32] |= static_cast<uint8_t>(code << (6 - 2 * (j / 32)));
  }
  const float s = static_cast<float>(scale);
  std::memcpy(dst + n / 4, &s, sizeof s);
}

}  // namespace bitnet
