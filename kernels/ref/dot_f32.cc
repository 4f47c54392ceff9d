// F32 . F32 reference: Σ w[i]*x[i] in f32, in element order (ggml_vec_dot_f32 without SIMD).
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_f32_f32_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* /*next: no prefetch here*/) {
  const auto* xf = static_cast<const float*>(x);
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wr =
        reinterpret_cast<const float*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += wr[i] * xf[i];
    out[r] = s;
  }
}

}  // namespace bitnet::kernels
