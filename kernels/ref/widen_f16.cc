// dst[i] = f32(src[i]) for f16 src (exact).
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void widen_f16_f32_1x1__scalar(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const fp16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
}

}  // namespace bitnet::kernels
