// out[i] += p[t] * V_t[i] for rows t in order, NEON: a fused multiply-add (FMLA) for the elements
// below the last multiple of 8 and a*v + out above, the AVX2 kernel's contract (kernels.inc), so
// both architectures give the same bits.
#include <arm_neon.h>

#include "kernels_decl.h"

namespace bitnet::kernels {

void axpy_f32_f32_1x1__neon(const float* p, const void* v, size_t v_row_bytes, int64_t rows,
                            float* out, int64_t n) {
  const int64_t n8 = n / 8 * 8;
  for (int64_t t = 0; t < rows; ++t) {
    const auto* vt =
        reinterpret_cast<const float*>(static_cast<const uint8_t*>(v) + t * v_row_bytes);
    const float32x4_t a = vdupq_n_f32(p[t]);
    int64_t i = 0;
    for (; i < n8; i += 4) vst1q_f32(out + i, vfmaq_f32(vld1q_f32(out + i), a, vld1q_f32(vt + i)));
    for (; i < n; ++i) {
      const float prod = p[t] * vt[i];
      out[i] = prod + out[i];
    }
  }
}

}  // namespace bitnet::kernels
