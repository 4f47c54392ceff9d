// Q8_0 . Q8_0 reference (ggml_vec_dot_q8_0_q8_0): per 32-element block the exact int32 isum, then
// acc += (d_w * d_x) * isum in block order. Scalar only: Q8_0 embeddings as lm_head are rare.
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_q8_0_q8_0_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                               int64_t n, float* out, const void* /*next*/) {
  const auto* xb = static_cast<const block_q8_0*>(x);
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wb =
        reinterpret_cast<const block_q8_0*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float acc = 0.0f;
    for (int64_t b = 0; b < n / 32; ++b) {
      int32_t isum = 0;
      for (int i = 0; i < 32; ++i) isum += wb[b].qs[i] * xb[b].qs[i];
      acc += (fp16_to_fp32(wb[b].d) * fp16_to_fp32(xb[b].d)) * static_cast<float>(isum);
    }
    out[r] = acc;
  }
}

}  // namespace bitnet::kernels
