// Shared by the NEON dequantizers: 16 codes (u8, 0..3) -> (float)(c - 1) * d, stored to dst.
#pragma once

#include <arm_neon.h>

namespace bitnet::kernels::neon {

inline void store_codes(uint8x16_t c, float32x4_t d, float* dst) {
  const int16x8_t lo = vsubq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(c))), vdupq_n_s16(1));
  const int16x8_t hi = vsubq_s16(vreinterpretq_s16_u16(vmovl_high_u8(c)), vdupq_n_s16(1));
  vst1q_f32(dst, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), d));
  vst1q_f32(dst + 4, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(lo)), d));
  vst1q_f32(dst + 8, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), d));
  vst1q_f32(dst + 12, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(hi)), d));
}

}  // namespace bitnet::kernels::neon
