// I2_S dequantization to f32, AVX2. Bit-identical to kernels/ref/dequant_i2s.cc: the codes of 32
// consecutive elements come from one shift + mask of a 32-byte vector (layout: see
// matmul/i2s_avx2.cc), then 8 at a time: u8 -> i32 -> -1 -> f32 -> * tensor scale.
#include <immintrin.h>

#include <cstring>

#include "bitnet/formats/blocks.h"
#include "codes_avx2.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dequant_i2s_f32_1x1__avx2(const uint8_t* src, float* dst, int64_t n, float tensor_scale) {
  const __m256i m3 = _mm256_set1_epi8(3);
  const __m256 s = _mm256_set1_ps(tensor_scale);
  int64_t b = 0;
  for (; (b + 1) * kI2sBlock <= n; ++b) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * b));
    for (int k = 0; k < 4; ++k)  // element 128b + 32k + j = bits 6-2k of byte j
      store_codes(_mm256_and_si256(_mm256_srli_epi16(q, 6 - 2 * k), m3), s,
                  dst + kI2sBlock * b + 32 * k);
  }
  for (int64_t e = b * kI2sBlock; e < n; ++e) {  // partial last block
    const int j = static_cast<int>(e % kI2sBlock);
    const int code = (src[32 * b + j % 32] >> (6 - 2 * (j / 32))) & 3;
    dst[e] = static_cast<float>(code - 1) * tensor_scale;
  }
}

}  // namespace bitnet::kernels
