// The store of the AVX2 dequantizers (tq2_0_avx2.cc, i2s_avx2.cc): each output is
// (float)(code - 1) * scale, one f32 multiply, as in the references. Include only from files built
// with the avx2 flags; anonymous namespace: see matmul/tiles.h.
#pragma once

#include <immintrin.h>

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
}  // namespace bitnet::kernels
