// What the Q4_0 weights . Q8_0 activations kernels share across instruction schemes (include only
// from files built with the avx2 flags or a superset; anonymous namespace: see matmul/tiles.h):
// per block, the codes u = q + 8 (0..15, unsigned) times the signed activations, minus 8 * Σx,
// so the per-block int32 is exact for any bytes; then the reference's scalar
// fma(float(isum), d_w * d_x, acc) in block order. The scheme only supplies DotU8S8: 8 int32
// lanes, each the sum of 4 adjacent u8 * s8 products (vpmaddubsw + vpmaddwd, or vpdpbusd).
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "bitnet/formats/blocks.h"
#include "dot_avx2.h"

namespace bitnet::kernels {
namespace {

// One row of nb blocks; pf != 0: the next row, prefetched 72 bytes ahead per 4 blocks.
template <class DotU8S8>
inline float q4_0_dot_row(const block_q4_0* w, const block_q8_0* x, int64_t nb, uintptr_t pf,
                          DotU8S8 dot) {
  const __m256i low = _mm256_set1_epi8(0x0F);
  const __m256i ones8 = _mm256_set1_epi8(1);
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    if (pf != 0 && b % 4 == 0)
      _mm_prefetch(reinterpret_cast<const char*>(pf + b * sizeof(block_q4_0)), _MM_HINT_T0);
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].qs));
    // Elements 0..15: low nibbles, 16..31: high nibbles (ggml's bytes_from_nibbles_32).
    const __m256i u = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), low);
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
    const __m256i prod = dot(u, q);
    const __m256i sumx = dot(ones8, q);
    const int32_t isum = hsum_epi32(_mm256_sub_epi32(prod, _mm256_slli_epi32(sumx, 3)));
    const float d = _cvtsh_ss(w[b].d) * _cvtsh_ss(x[b].d);
    acc = std::fma(static_cast<float>(isum), d, acc);
  }
  return acc;
}

// The DotFn over `rows` rows of n elements (kernel.h).
template <class DotU8S8>
inline void q4_0_dot_rows(const void* w, size_t w_row_bytes, int64_t rows, const void* x, int64_t n,
                          float* out, const void* next, DotU8S8 dot) {
  const uintptr_t pf = reinterpret_cast<uintptr_t>(next);  // integer: may lie past the tensor
  for (int64_t r = 0; r < rows; ++r)
    out[r] = q4_0_dot_row(
        reinterpret_cast<const block_q4_0*>(static_cast<const uint8_t*>(w) + r * w_row_bytes),
        static_cast<const block_q8_0*>(x), n / 32, pf == 0 ? 0 : pf + r * w_row_bytes, dot);
}

}  // namespace
}  // namespace bitnet::kernels
