// s[t] = exp(s[t] - max), returning Σ s[t] summed in double in order, NEON: the AVX2 kernel's
// Cephes-style expf in 4 lanes (FRINTN, FMLS/FMLA in the same steps; within 2 ulp of libm, 0
// below e^-87.3); the tail with std::exp like the reference. Not bit-exact with the reference:
// tests/test_kernels_dense.cc bounds the difference.
#include <arm_neon.h>

#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

inline float32x4_t exp_nonpositive(float32x4_t x) {
  const uint32x4_t too_small = vcltq_f32(x, vdupq_n_f32(-87.33654f));
  x = vmaxq_f32(x, vdupq_n_f32(-87.33654f));
  const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t y = vdupq_n_f32(1.9875691500e-4f);
  y = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), y, r);
  y = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), y, r);
  y = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), y, r);
  y = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), y, r);
  y = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), y, r);
  y = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), y, vmulq_f32(r, r));
  const int32x4_t scale = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  const float32x4_t e = vmulq_f32(y, vreinterpretq_f32_s32(scale));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(e), too_small));
}

}  // namespace

double exp_sum_f32_f32_1x1__neon(float* s, int64_t n, float max) {
  const float32x4_t vmax = vdupq_n_f32(max);
  double sum = 0.0;
  int64_t t = 0;
  for (; t + 4 <= n; t += 4) {
    vst1q_f32(s + t, exp_nonpositive(vsubq_f32(vld1q_f32(s + t), vmax)));
    for (int k = 0; k < 4; ++k) sum += s[t + k];  // in order, as the reference
  }
  for (; t < n; ++t) {
    s[t] = __builtin_expf(s[t] - max);
    sum += s[t];
  }
  return sum;
}

}  // namespace bitnet::kernels
