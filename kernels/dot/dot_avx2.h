// The f32/f16 dot products of the dense kernels, and the int32 lane sum of the integer ones, for
// AVX2 + FMA + F16C (include only from files built with the avx2 flags or a superset; anonymous
// namespace: see matmul/tiles.h). ggml_vec_dot_f16's AVX2 scheme: four 8-lane FMA accumulators
// over 32-element steps, summed (a0 + a1) + (a2 + a3), lanes reduced by halves, then the tail in
// order with a plain multiply and add. Weights may be f16 or f32 (f16 widened exactly); the
// activations too.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "bitnet/formats/blocks.h"

namespace bitnet::kernels {
namespace {

inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

inline float hsum_ps(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline __m256 load8(const fp16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8(const float* p) {
  return _mm256_loadu_ps(p);
}
inline float to_f32(fp16_t h) {
  return _cvtsh_ss(h);
}
inline float to_f32(float f) {
  return f;
}

template <class W, class X>
inline float dot1(const W* w, const X* x, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_fmadd_ps(load8(w + i), load8(x + i), a0);
    a1 = _mm256_fmadd_ps(load8(w + i + 8), load8(x + i + 8), a1);
    a2 = _mm256_fmadd_ps(load8(w + i + 16), load8(x + i + 16), a2);
    a3 = _mm256_fmadd_ps(load8(w + i + 24), load8(x + i + 24), a3);
  }
  float s = hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; ++i) s += to_f32(w[i]) * to_f32(x[i]);
  return s;
}

// Two rows of dot1 against x in f32, sharing the loads of x: per row the same accumulators
// updated in the same order, so each result equals dot1's bit for bit. pf != 0: 4n bytes to
// prefetch over the call (the caller's next row pair, f16).
template <class W>
inline void dot2(const W* w0, const W* w1, const float* x, int64_t n, float* out, uintptr_t pf) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    if (pf != 0) {  // 128 bytes of the next pair per step, as this step reads 128
      _mm_prefetch(reinterpret_cast<const char*>(pf + 4 * i), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(pf + 4 * i + 64), _MM_HINT_T0);
    }
    const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
    const __m256 x2 = _mm256_loadu_ps(x + i + 16), x3 = _mm256_loadu_ps(x + i + 24);
    a0 = _mm256_fmadd_ps(load8(w0 + i), x0, a0);
    b0 = _mm256_fmadd_ps(load8(w1 + i), x0, b0);
    a1 = _mm256_fmadd_ps(load8(w0 + i + 8), x1, a1);
    b1 = _mm256_fmadd_ps(load8(w1 + i + 8), x1, b1);
    a2 = _mm256_fmadd_ps(load8(w0 + i + 16), x2, a2);
    b2 = _mm256_fmadd_ps(load8(w1 + i + 16), x2, b2);
    a3 = _mm256_fmadd_ps(load8(w0 + i + 24), x3, a3);
    b3 = _mm256_fmadd_ps(load8(w1 + i + 24), x3, b3);
  }
  float s0 = hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  float s1 = hsum_ps(_mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3)));
  for (; i < n; ++i) {
    s0 += to_f32(w0[i]) * x[i];
    s1 += to_f32(w1[i]) * x[i];
  }
  out[0] = s0;
  out[1] = s1;
}

// Rows in pairs (dot2), an odd last row with dot1: out[r] = dot1(row r, x) bit for bit.
// `next`: see DotFn; only the first pair's successor is prefetched per pair.
template <class W>
inline void dot_rows(const void* w, size_t row_bytes, int64_t rows, const float* x, int64_t n,
                     float* out, const void* next) {
  const auto row = [&](int64_t r) {
    return reinterpret_cast<const W*>(static_cast<const uint8_t*>(w) + r * row_bytes);
  };
  // Integer arithmetic: `next` may lie past the tensor (last pair), harmless for a prefetch.
  const uintptr_t pf = reinterpret_cast<uintptr_t>(next);
  int64_t r = 0;
  for (; r + 2 <= rows; r += 2)
    dot2(row(r), row(r + 1), x, n, out + r, pf == 0 ? 0 : pf + r * row_bytes);
  for (; r < rows; ++r) out[r] = dot1(row(r), x, n);
}

}  // namespace
}  // namespace bitnet::kernels
