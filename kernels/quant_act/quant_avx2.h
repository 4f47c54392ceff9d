// Lane helpers of the AVX2 activation quantizers (q8k_avx2.cc, i8s_avx2.cc), each the
// reference's per-element arithmetic in 8 lanes. Include only from files built with the avx2
// flags; anonymous namespace: see matmul/tiles.h.
// (__builtin_ math, not std::: no out-of-line copies built with AVX2 flags.)
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace bitnet::kernels {
namespace {

// No namespace-scope SIMD constants: their initializers would run at startup on any CPU.
inline __m256 abs_mask() {
  return _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
}

// ggml's nearest_int on 8 lanes (valid for |f| <= 2^22, which the fast paths guarantee).
inline __m256i nearest_int8(__m256 f) {
  const __m256 v = _mm256_add_ps(f, _mm256_set1_ps(12582912.f));
  return _mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32(0x007fffff)),
                          _mm256_set1_epi32(0x00400000));
}

// 32 int32 (four vectors, each within int8 range) -> 32 int8 in element order.
inline __m256i pack_i32_to_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packs_epi32(a, b);  // per 128-bit half: a0-3 b0-3 | a4-7 b4-7
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i p = _mm256_packs_epi16(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline float hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// max |x[i]| over n (a multiple of 8) values, and whether any is NaN. max_ps(a, b) = a > b ? a : b:
// a NaN |x| never replaces the running max (as in the references).
inline float amax8(const float* x, int64_t n, bool& nan) {
  __m256 amax = _mm256_setzero_ps();
  __m256 unord = _mm256_setzero_ps();
  for (int64_t i = 0; i < n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    amax = _mm256_max_ps(_mm256_and_ps(v, abs_mask()), amax);
    unord = _mm256_or_ps(unord, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  nan = _mm256_movemask_ps(unord) != 0;
  return hmax8(amax);
}

}  // namespace
}  // namespace bitnet::kernels
