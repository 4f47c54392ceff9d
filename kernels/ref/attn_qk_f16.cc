// Attention scores over f16 K rows for a group of query heads (kernels.inc, "attn_qk"): each dot
// in ggml_vec_dot_f16's AVX2 order (four 8-lane fma accumulators over 32-element steps, summed
// (a0 + a1) + (a2 + a3), the lanes by halves, then the tail with a multiply and an add), in
// scalar code: what every ISA's kernel reproduces.
#include <cmath>
#include <cstdint>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void attn_qk_f16_f32_1x1__scalar(const float* q, int64_t heads, const void* k, size_t row_bytes,
                                 int64_t rows, int64_t n, float scale, float* scores,
                                 int64_t score_stride) {
  static thread_local float kr[kAttnMaxDim];
  for (int64_t t = 0; t < rows; ++t) {
    const auto* kt =
        reinterpret_cast<const fp16_t*>(static_cast<const uint8_t*>(k) + t * row_bytes);
    for (int64_t d = 0; d < n; ++d) kr[d] = fp16_to_fp32(kt[d]);
    for (int64_t j = 0; j < heads; ++j) {
      const float* x = q + j * n;
      float a[4][8] = {};
      int64_t i = 0;
      for (; i + 32 <= n; i += 32)
        for (int c = 0; c < 4; ++c)
          for (int l = 0; l < 8; ++l)
            a[c][l] = std::fma(kr[i + 8 * c + l], x[i + 8 * c + l], a[c][l]);
      float v[8];
      for (int l = 0; l < 8; ++l) v[l] = (a[0][l] + a[1][l]) + (a[2][l] + a[3][l]);
      float h[4];
      for (int l = 0; l < 4; ++l) h[l] = v[l] + v[l + 4];
      float s = (h[0] + h[2]) + (h[1] + h[3]);
      for (; i < n; ++i) {
        const float prod = kr[i] * x[i];
        s = s + prod;
      }
      scores[j * score_stride + t] = s * scale;
    }
  }
}

}  // namespace bitnet::kernels
