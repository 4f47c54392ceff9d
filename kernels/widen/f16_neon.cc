// f16 -> f32, NEON FCVTL: exact, the reference's bits (NaNs stay NaNs).
#include <arm_neon.h>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void widen_f16_f32_1x1__neon(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const fp16_t*>(src);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    vst1q_f32(dst + i, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h + i))));
  for (; i < n; ++i) dst[i] = fp16_to_fp32(h[i]);
}

}  // namespace bitnet::kernels
