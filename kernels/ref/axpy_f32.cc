// out[i] += p[t] * v_t[i] for rows t in order, f32 (attention's weighted sum over V).
#include "kernels_decl.h"

namespace bitnet::kernels {

void axpy_f32_f32_1x1__scalar(const float* p, const void* v, size_t v_row_bytes, int64_t rows,
                              float* out, int64_t n) {
  for (int64_t t = 0; t < rows; ++t) {
    const auto* vt =
        reinterpret_cast<const float*>(static_cast<const uint8_t*>(v) + t * v_row_bytes);
    for (int64_t i = 0; i < n; ++i) out[i] += p[t] * vt[i];
  }
}

}  // namespace bitnet::kernels
