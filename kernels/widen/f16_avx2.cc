// dst[i] = f32(src[i]) for f16 src, AVX2 + F16C (exact, as the reference).
#include <immintrin.h>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void widen_f16_f32_1x1__avx2(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const fp16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
  for (; i < n; ++i) dst[i] = _cvtsh_ss(s[i]);
}

}  // namespace bitnet::kernels
