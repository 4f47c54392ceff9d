// f32 -> f16 -> f32, NEON FCVTN + FCVTL with the default rounding (to nearest even): the
// reference's bits (NaNs stay NaNs). src may equal dst.
#include <arm_neon.h>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void round_f16_f32_1x1__neon(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const float*>(src);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(dst + i, vcvt_f32_f16(vcvt_f16_f32(vld1q_f32(s + i))));
  for (; i < n; ++i) dst[i] = fp16_to_fp32(fp32_to_fp16(s[i]));
}

}  // namespace bitnet::kernels
