// Q4_0 . Q8_0 reference in llama.cpp's x86 float order: per 32-element block the exact int32
// isum of (code - 8) * q, then acc = fma(float(isum), d_w * d_x, acc) in block order. That is
// ggml_gemv_q4_0_8x8_q8_0 / ggml_gemm_q4_0_8x8_q8_0, the kernels llama.cpp runs on AVX2 CPUs for
// Q4_0 weights with a multiple of 8 rows (it repacks them at load time).
#include <cmath>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_q4_0_q8_0_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                               int64_t n, float* out, const void* /*next*/) {
  const auto* xb = static_cast<const block_q8_0*>(x);
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wb =
        reinterpret_cast<const block_q4_0*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float acc = 0.0f;
    for (int64_t b = 0; b < n / 32; ++b) {
      int32_t isum = 0;
      for (int i = 0; i < 16; ++i) {
        isum += ((wb[b].qs[i] & 0x0F) - 8) * xb[b].qs[i];
        isum += ((wb[b].qs[i] >> 4) - 8) * xb[b].qs[i + 16];
      }
      const float d = fp16_to_fp32(wb[b].d) * fp16_to_fp32(xb[b].d);
      acc = std::fma(static_cast<float>(isum), d, acc);
    }
    out[r] = acc;
  }
}

}  // namespace bitnet::kernels
