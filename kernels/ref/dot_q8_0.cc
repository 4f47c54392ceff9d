// Q8_0 . Q8_0 reference in llama.cpp's x86 float order (ggml_vec_dot_q8_0_q8_0, AVX2 and
// AVX-512 builds): eight lanes, lane j holding the exact int32 partial sum of elements 4j..4j+3
// of each block; acc_j = fma(d_w * d_x, float(partial_j), acc_j) in block order; then ggml's
// hsum_float_8: ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)).
#include <cmath>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_q8_0_q8_0_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                               int64_t n, float* out, const void* /*next*/) {
  const auto* xb = static_cast<const block_q8_0*>(x);
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wb =
        reinterpret_cast<const block_q8_0*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float acc[8] = {};
    for (int64_t b = 0; b < n / 32; ++b) {
      const float d = fp16_to_fp32(wb[b].d) * fp16_to_fp32(xb[b].d);
      for (int j = 0; j < 8; ++j) {
        int32_t p = 0;
        for (int i = 4 * j; i < 4 * j + 4; ++i) p += wb[b].qs[i] * xb[b].qs[i];
        acc[j] = std::fma(d, static_cast<float>(p), acc[j]);
      }
    }
    out[r] = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
  }
}

}  // namespace bitnet::kernels
