// Shared by the NEON activation quantizers: the reference's per-element arithmetic, lane by lane.
#pragma once

#include <arm_neon.h>

#include <cstdint>

namespace bitnet::kernels::neon {

// ggml's nearest_int per lane: add 1.5*2^23, keep the mantissa bits (round half to even); the
// same bits as bitnet/formats/rounding.h for every input.
inline int32x4_t nearest_int4(float32x4_t v) {
  const int32x4_t i = vreinterpretq_s32_f32(vaddq_f32(v, vdupq_n_f32(12582912.f)));
  return vsubq_s32(vandq_s32(i, vdupq_n_s32(0x007fffff)), vdupq_n_s32(0x00400000));
}

// max |x[i]| over n (a multiple of 16) floats; nan is set when any element is NaN.
inline float amax16(const float* x, int64_t n, bool& nan) {
  float32x4_t m[4] = {vdupq_n_f32(0), vdupq_n_f32(0), vdupq_n_f32(0), vdupq_n_f32(0)};
  uint32x4_t ordered = vdupq_n_u32(~0u);
  for (int64_t i = 0; i < n; i += 16)
    for (int t = 0; t < 4; ++t) {
      const float32x4_t v = vld1q_f32(x + i + 4 * t);
      ordered = vandq_u32(ordered, vceqq_f32(v, v));
      m[t] = vmaxq_f32(m[t], vabsq_f32(v));
    }
  nan = vminvq_u32(ordered) == 0;
  return vmaxvq_f32(vmaxq_f32(vmaxq_f32(m[0], m[1]), vmaxq_f32(m[2], m[3])));
}

}  // namespace bitnet::kernels::neon
