// The f32 epilogue shared by the AVX2 TQ2_0 and TQ1_0 x Q8_K tiles (include only from files built
// with the avx2 flags). Anonymous namespace: see tiles.h.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "avx2_util.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

// One block of an R x C tile: the rows' fp16 scales (at byte w_d of each block, 4 rows at a time,
// exact in f32), the int16 block sums s reduced to int32, then acc += isum * (d_w * d_x): the
// reference's per-block order, in SSE lanes of 4 rows.
template <int R, int C>
inline void tq_block_epilogue(const uint8_t* const (&wb)[R], size_t w_d,
                              const uint8_t* const (&xb)[C], const __m256i (&s)[R][C],
                              __m128 (&acc)[(R + 3) / 4][C]) {
  const __m256i zero = _mm256_setzero_si256();
  for (int g = 0; g < (R + 3) / 4; ++g) {
    uint64_t dbits = 0;
    for (int r = 4 * g; r < R && r < 4 * g + 4; ++r)
      dbits |= static_cast<uint64_t>(load_u16_at(wb[r] + w_d)) << (16 * (r - 4 * g));
    const __m128 dw = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<int64_t>(dbits)));
    for (int c = 0; c < C; ++c) {
      __m256i t[4] = {zero, zero, zero, zero};
      for (int r = 4 * g; r < R && r < 4 * g + 4; ++r) t[r - 4 * g] = s[r][c];
      const __m128i isum = hsum4_i16(t[0], t[1], t[2], t[3]);
      const __m128 d = _mm_mul_ps(dw, _mm_set1_ps(load_f32_at(xb[c])));
      acc[g][c] = _mm_add_ps(acc[g][c], _mm_mul_ps(_mm_cvtepi32_ps(isum), d));
    }
  }
}

// Writes the R x C tile's outputs (rows m0.., columns n0..).
template <int R, int C>
inline void store_tile(float* y, int64_t y_col_stride, int64_t m0, int64_t n0,
                       const __m128 (&acc)[(R + 3) / 4][C]) {
  for (int g = 0; g < (R + 3) / 4; ++g)
    for (int c = 0; c < C; ++c)
      store_lanes(y + (n0 + c) * y_col_stride + m0 + 4 * g, acc[g][c],
                  R - 4 * g < 4 ? R - 4 * g : 4);
}

}  // namespace
}  // namespace bitnet::kernels
