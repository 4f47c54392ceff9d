// dst[i] = f32(f16(src[i])) for f32 src, round to nearest even, AVX2 + F16C (ggml's f16 rounding
// of the softmax weights; exact, as the reference). src may equal dst.
#include <immintrin.h>

#include "kernels_decl.h"

namespace bitnet::kernels {

void round_f16_f32_1x1__avx2(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const float*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(s + i), 0)));
  for (; i < n; ++i) dst[i] = _cvtsh_ss(_cvtss_sh(s[i], 0));
}

}  // namespace bitnet::kernels
