// dst[i] = f32(f16(src[i])) for f32 src, round to nearest even (ggml's f16 rounding of the
// softmax weights). src may equal dst.
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void round_f16_f32_1x1__scalar(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const float*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(fp32_to_fp16(s[i]));
}

}  // namespace bitnet::kernels
