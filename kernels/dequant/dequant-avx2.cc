// Dequantization to f32, AVX2: TQ2_0 and I2_S. Bit-identical to kernels/ref/dequant_tq2_0.cc and
// dequant_i2s.cc: each output is (float)(code - 1) * scale, one f32 multiply, as in the refs.
// Codes of 32 consecutive elements come from one shift + mask of a 32-byte vector (the formats'
// layouts are described in the matmul kernels), then 8 at a time: u8 -> i32 -> -1 -> f32 -> * d.
#include <immintrin.h>

#include <cstring>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

// 32 codes (bytes 0..3, any value) -> 32 floats (code - 1) * d at dst.
inline void store_codes(__m256i codes, __m256 d, float* dst) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m128i lo = _mm256_castsi256_si128(codes), hi = _mm256_extracti128_si256(codes, 1);
  const __m128i parts[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
  for (int i = 0; i < 4; ++i) {
    const __m256i c = _mm256_sub_epi32(_mm256_cvtepu8_epi32(parts[i]), one);
    _mm256_storeu_ps(dst + 8 * i, _mm256_mul_ps(_mm256_cvtepi32_ps(c), d));
  }
}

}  // namespace

void dequant_tq2_0_f32_1x1__avx2(const uint8_t* src, float* dst, int64_t n, float) {
  const __m256i m3 = _mm256_set1_epi8(3);
  for (int64_t b = 0; b < n / kQK_K; ++b, src += sizeof(block_tq2_0), dst += kQK_K) {
    uint16_t h;
    std::memcpy(&h, src + offsetof(block_tq2_0, d), sizeof h);
    const __m256 d = _mm256_set1_ps(_cvtsh_ss(h));  // F16C: exact, like fp16_to_fp32
    for (int j = 0; j < 2; ++j) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * j));
      for (int k = 0; k < 4; ++k)  // element 128j + 32k + m = bits 2k of qs[32j + m]
        store_codes(_mm256_and_si256(_mm256_srli_epi16(q, 2 * k), m3), d, dst + 128 * j + 32 * k);
    }
  }
}

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
