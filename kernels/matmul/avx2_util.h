// Small AVX2 helpers for the matmul kernels (include only from files built with the avx2 flags).
// Anonymous namespace: see tiles.h.
#pragma once

#include <immintrin.h>

namespace bitnet::kernels {
namespace {

// Keeps GCC from reassociating an accumulation chain: without it GCC computes all products of a
// block first and spills them (measured: ~25 spill stores per block in the 4x1 TQ2_0 tile).
inline void pin(__m256i& v) {
  asm("" : "+x"(v));
}

// Horizontal sums of four int16 vectors, returned as int32 {Σa0, Σa1, Σa2, Σa3}.
// Partial sums stay in int16 while they cover at most 4 lanes, so callers must keep every lane
// within ±8191 (4 lanes then fit int16); the last steps widen to int32.
inline __m128i hsum4_i16(__m256i a0, __m256i a1, __m256i a2, __m256i a3) {
  // Each int16 becomes the sum of 2 lanes of one input: per 128-bit half a0 a1 a0 a1 ...
  const __m256i s01 =
      _mm256_add_epi16(_mm256_unpacklo_epi16(a0, a1), _mm256_unpackhi_epi16(a0, a1));
  const __m256i s23 =
      _mm256_add_epi16(_mm256_unpacklo_epi16(a2, a3), _mm256_unpackhi_epi16(a2, a3));
  // Sum of 4 lanes: per 128-bit half a0 a1 a2 a3 a0 a1 a2 a3.
  const __m256i s =
      _mm256_add_epi16(_mm256_unpacklo_epi32(s01, s23), _mm256_unpackhi_epi32(s01, s23));
  const __m256i w = _mm256_add_epi32(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(s)),
                                     _mm256_cvtepi16_epi32(_mm256_extracti128_si256(s, 1)));
  return _mm_add_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
}

// Horizontal sums of four int32 vectors: {Σa0, Σa1, Σa2, Σa3}.
inline __m128i hsum4_i32(__m256i a0, __m256i a1, __m256i a2, __m256i a3) {
  const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

// Stores the first r (1..4) lanes of v to dst.
inline void store_lanes(float* dst, __m128 v, int r) {
  if (r == 4) {
    _mm_storeu_ps(dst, v);
    return;
  }
  alignas(16) float tmp[4];
  _mm_store_ps(tmp, v);
  for (int i = 0; i < r; ++i) dst[i] = tmp[i];
}

}  // namespace
}  // namespace bitnet::kernels
