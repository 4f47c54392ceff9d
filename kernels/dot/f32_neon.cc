// f32 . f32 dot, NEON, in the AVX2 kernels' order (dot_neon.h; contract in kernels.inc).
#include "dot_neon.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_f32_f32_1x1__neon(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* /*next*/) {
  const auto* xf = static_cast<const float*>(x);
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wf =
        reinterpret_cast<const float*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    out[r] = neon::dot_avx2_order([wf](int64_t i) { return vld1q_f32(wf + i); },
                                  [xf](int64_t i) { return vld1q_f32(xf + i); },
                                  [wf](int64_t i) { return wf[i]; },
                                  [xf](int64_t i) { return xf[i]; }, n);
  }
}

}  // namespace bitnet::kernels
