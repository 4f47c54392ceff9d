#include "tq2_dot_ggml_x86.h"

#include <cmath>

namespace bitnet::model::detail {

float tq2_dot_ggml_x86(const block_tq2_0* w, const block_q8_K* x, int64_t nb) {
  float acc[8] = {};
  for (int64_t b = 0; b < nb; ++b) {
    const float d = x[b].d * fp16_to_fp32(w[b].d);
    // Byte j of a 32-byte half feeds 16-bit lane j/2 and 32-bit lane j/4, for every 2-bit field.
    int32_t per_byte[32] = {};
    for (int h = 0; h < 2; ++h)
      for (int l = 0; l < 4; ++l)
        for (int j = 0; j < 32; ++j)
          per_byte[j] += ((w[b].qs[32 * h + j] >> (2 * l)) & 3) * x[b].qs[128 * h + 32 * l + j];
    for (int m = 0; m < 8; ++m) {
      const int32_t lane = per_byte[4 * m] + per_byte[4 * m + 1] + per_byte[4 * m + 2] +
                           per_byte[4 * m + 3] - x[b].bsums[2 * m] - x[b].bsums[2 * m + 1];
      acc[m] = std::fma(static_cast<float>(lane), d, acc[m]);
    }
  }
  float r[4];  // hsum_float_8: high half + low half, then (0+2) + (1+3)
  for (int i = 0; i < 4; ++i) r[i] = acc[i + 4] + acc[i];
  return (r[0] + r[2]) + (r[1] + r[3]);
}

}  // namespace bitnet::model::detail
