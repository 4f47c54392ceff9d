// Q8_0 weights . Q8_0 activations, AVX2, in the reference's (llama.cpp's x86) order: lane j of an
// 8 x int32 vector is the exact partial sum of elements 4j..4j+3 (sign-extended to int16, then
// vpmaddwd twice: exact for any bytes, -128 included), acc = fma(d_w * d_x, float(lanes), acc)
// per block, then ggml's hsum_float_8.
#include <immintrin.h>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

inline float hsum_float_8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// int16 pairs (2i, 2i+1) -> int32, then adjacent int32 pairs: lanes of 4 consecutive products.
inline __m256i quad_sums(__m256i w16_lo, __m256i x16_lo, __m256i w16_hi, __m256i x16_hi) {
  const __m256i p_lo = _mm256_madd_epi16(w16_lo, x16_lo);  // pairs of elements 0..15
  const __m256i p_hi = _mm256_madd_epi16(w16_hi, x16_hi);  // pairs of elements 16..31
  // hadd sums adjacent pairs within 128-bit halves: [lo0 lo1 hi0 hi1 | lo2 lo3 hi2 hi3] (quads).
  const __m256i h = _mm256_hadd_epi32(p_lo, p_hi);
  // Quads in element order 0..7: lanes 0,1 from lo's first half, 2,3 lo's second half, ...
  return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

float dot_row(const block_q8_0* w, const block_q8_0* x, int64_t nb, uintptr_t pf) {
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    if (pf != 0 && b % 2 == 0)
      _mm_prefetch(reinterpret_cast<const char*>(pf + b * sizeof(block_q8_0)), _MM_HINT_T0);
    const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
    const __m256i lanes = quad_sums(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(wq)),
                                    _mm256_cvtepi8_epi16(_mm256_castsi256_si128(xq)),
                                    _mm256_cvtepi8_epi16(_mm256_extracti128_si256(wq, 1)),
                                    _mm256_cvtepi8_epi16(_mm256_extracti128_si256(xq, 1)));
    const __m256 d = _mm256_set1_ps(_cvtsh_ss(w[b].d) * _cvtsh_ss(x[b].d));
    acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(lanes), acc);
  }
  return hsum_float_8(acc);
}

}  // namespace

void dot_q8_0_q8_0_1x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* next) {
  const uintptr_t pf = reinterpret_cast<uintptr_t>(next);  // integer: may lie past the tensor
  for (int64_t r = 0; r < rows; ++r)
    out[r] = dot_row(
        reinterpret_cast<const block_q8_0*>(static_cast<const uint8_t*>(w) + r * w_row_bytes),
        static_cast<const block_q8_0*>(x), n / 32, pf == 0 ? 0 : pf + r * w_row_bytes);
}

}  // namespace bitnet::kernels
