// The f32/f16 dot products on aarch64, in the order of the x86 AVX2 kernels (ggml_vec_dot_f16's
// order, dense_check.cc's dot_in_avx2_order): four 8-lane FMA accumulators over 32-element steps
// (each 8-lane accumulator is two float32x4), the lanes reduced as AVX2's hsum does, then the
// tail in element order. The bits are those of that order, so an aarch64 decode reproduces the
// x86 SIMD one; a multi-row call gives each row its one-row bits.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

namespace bitnet::kernels::neon {

// Load4(p, i): 4 values of a row from element i, widened to f32 (exact for f16).
template <class LoadW, class LoadX, class ScalarW, class ScalarX>
float dot_avx2_order(LoadW lw, LoadX lx, ScalarW sw, ScalarX sx, int64_t n) {
  float32x4_t a[4][2];
  for (auto& j : a) j[0] = j[1] = vdupq_n_f32(0);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int j = 0; j < 4; ++j)
      for (int h = 0; h < 2; ++h) {
        const int64_t e = i + 8 * j + 4 * h;
        a[j][h] = vfmaq_f32(a[j][h], lw(e), lx(e));
      }
  // v[l] = (a0 + a1) + (a2 + a3); h[l] = v[l] + v[l + 4]; s = (h0 + h2) + (h1 + h3).
  const float32x4_t v_lo = vaddq_f32(vaddq_f32(a[0][0], a[1][0]), vaddq_f32(a[2][0], a[3][0]));
  const float32x4_t v_hi = vaddq_f32(vaddq_f32(a[0][1], a[1][1]), vaddq_f32(a[2][1], a[3][1]));
  const float32x4_t h = vaddq_f32(v_lo, v_hi);
  const float32x2_t p = vadd_f32(vget_low_f32(h), vget_high_f32(h));  // h0 + h2, h1 + h3
  float s = vget_lane_f32(p, 0) + vget_lane_f32(p, 1);
  for (; i < n; ++i) {
    const float prod = sw(i) * sx(i);
    s = s + prod;
  }
  return s;
}

}  // namespace bitnet::kernels::neon
