// Q4_0 weight quantizer, byte-exact with llama.cpp's quantize_row_q4_0_ref (ggml/src/ggml-quants.c,
// c392e5094; what llama-quantize runs without an importance matrix, e.g. for its TQ1_0/TQ2_0
// fallback on rows that are not a multiple of 256). Built with -ffp-contract=off, as ggml-base.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitnet/formats/quantize.h"

namespace bitnet {

void quantize_q4_0(const float* x, uint8_t* dst, int64_t n) {
  if (n < 0 || n % kQK4_0 != 0)
    throw std::invalid_argument("quantize_q4_0: n = " + std::to_string(n) +
                                " is not a multiple of the 32-element block");
  for (int64_t b = 0; b < n / kQK4_0; ++b) {
    const float* xb = x + b * kQK4_0;
    float amax = 0.0f, max = 0.0f;  // the value of largest magnitude, first one on ties
    for (int j = 0; j < kQK4_0; ++j) {
      if (!std::isfinite(xb[j])) {
        char v[32];
        std::snprintf(v, sizeof v, "%.9g", static_cast<double>(xb[j]));
        throw std::invalid_argument("quantize_q4_0: element " + std::to_string(b * kQK4_0 + j) +
                                    " is " + v + " (only finite values can be quantized)");
      }
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    block_q4_0 out;
    out.d = fp32_to_fp16(d);
    if ((out.d & 0x7c00u) == 0x7c00u)
      throw std::invalid_argument("quantize_q4_0: block " + std::to_string(b) +
                                  ": values too large for Q4_0 (scale max/-8 overflows fp16)");
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      // x*id is in [-8, 8]: + 8.5 truncates (C's float -> int8_t) to 0..16, clamped to 15.
      const int xi0 = std::min(15, static_cast<int>(static_cast<int8_t>(xb[j] * id + 8.5f)));
      const int xi1 =
          std::min(15, static_cast<int>(static_cast<int8_t>(xb[kQK4_0 / 2 + j] * id + 8.5f)));
      out.qs[j] = static_cast<uint8_t>(xi0 | (xi1 << 4));
    }
    std::memcpy(dst + b * static_cast<int64_t>(sizeof out), &out, sizeof out);
  }
}

}  // namespace bitnet
