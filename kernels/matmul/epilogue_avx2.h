// What the integer matmul tiles of one format share across instruction schemes (include only from
// files built with the avx2 flags or a superset; anonymous namespace: see tiles.h): the block
// sizes, the accumulators and the f32 epilogue of PolicyTile (tiles.h).
//  - TqFormat (TQ1_0 / TQ2_0 x Q8_K): per block, acc += isum * (d_w * d_x), 4 rows at a time in
//    SSE lanes (tq_block_epilogue, called by the scheme's group_end).
//  - I2sFormat (I2_S x I8_S): once per row, ((isum - Σq) / scale) * w_scale.
// Both follow kernel.h's exact contract (the references' float order).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/kernel.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

// Σ over the lanes of rows 4g..4g+3 (those below R) of one column: get(r) is row r's vector,
// int32 lanes, or int16 lanes within ±8191 when kI16 (hsum4_i16's precondition).
template <int R, bool kI16, class Get>
inline __m128i hsum_rows(int g, Get get) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i t[4] = {zero, zero, zero, zero};
  for (int r = 4 * g; r < R && r < 4 * g + 4; ++r) t[r - 4 * g] = get(r);
  if constexpr (kI16) return hsum4_i16(t[0], t[1], t[2], t[3]);
  return hsum4_i32(t[0], t[1], t[2], t[3]);
}

// The TQ accumulators of an R x C tile: f32, 4 rows per SSE vector.
template <int R, int C>
struct TqAcc {
  __m128 v[(R + 3) / 4][C];
};

// One block of an R x C TQ tile: the rows' fp16 scales (at byte w_d of each block, 4 rows at a
// time, exact in f32), then acc += isum * (d_w * d_x) with isum(g, c) the exact int32 block sums
// of rows 4g..4g+3 and column c: the reference's per-block order, in SSE lanes of 4 rows.
template <int R, int C, class Isum>
inline void tq_block_epilogue(const uint8_t* const (&wb)[R], size_t w_d,
                              const uint8_t* const (&xb)[C], Isum isum, TqAcc<R, C>& acc) {
  for (int g = 0; g < (R + 3) / 4; ++g) {
    uint64_t dbits = 0;
    for (int r = 4 * g; r < R && r < 4 * g + 4; ++r)
      dbits |= static_cast<uint64_t>(load_u16_at(wb[r] + w_d)) << (16 * (r - 4 * g));
    const __m128 dw = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<int64_t>(dbits)));
    for (int c = 0; c < C; ++c) {
      const __m128 d = _mm_mul_ps(dw, _mm_set1_ps(load_f32_at(xb[c])));
      acc.v[g][c] = _mm_add_ps(acc.v[g][c], _mm_mul_ps(_mm_cvtepi32_ps(isum(g, c)), d));
    }
  }
}

// Writes an R x C TQ tile's outputs (rows m0.., columns n0..).
template <int R, int C>
inline void tq_store_tile(const MatmulArgs& a, int64_t m0, int64_t n0, const TqAcc<R, C>& acc) {
  for (int g = 0; g < (R + 3) / 4; ++g)
    for (int c = 0; c < C; ++c)
      store_lanes(a.y + (n0 + c) * a.y_col_stride + m0 + 4 * g, acc.v[g][c],
                  R - 4 * g < 4 ? R - 4 * g : 4);
}

// The I2_S accumulators of an R x C tile: exact int32 sums of the whole row, 8 lanes each.
template <int R, int C>
struct I2sAcc {
  __m256i v[R][C];
};

// I2_S outputs of an R x C tile from the exact row sums Σ c·q: the reference's
// y = (((float)isum - (float)sum[n]) / scale[n]) * w_scale, 4 rows at a time.
template <int R, int C>
inline void i2s_store_tile(const MatmulArgs& a, int64_t m0, int64_t n0, const I2sAcc<R, C>& acc) {
  const __m128 ws = _mm_set1_ps(a.w_scale);
  for (int c = 0; c < C; ++c) {
    const __m128 asum = _mm_set1_ps(static_cast<float>(a.x.sum[n0 + c]));
    const __m128 ascale = _mm_set1_ps(a.x.scale[n0 + c]);
    for (int g = 0; 4 * g < R; ++g) {
      const __m128i isum = hsum_rows<R, false>(g, [&](int r) { return acc.v[r][c]; });
      const __m128 out =
          _mm_mul_ps(_mm_div_ps(_mm_sub_ps(_mm_cvtepi32_ps(isum), asum), ascale), ws);
      store_lanes(a.y + (n0 + c) * a.y_col_stride + m0 + 4 * g, out, R - 4 * g < 4 ? R - 4 * g : 4);
    }
  }
}

// TQ1_0 / TQ2_0 weights (Block) x Q8_K activations.
template <class Block>
struct TqFormat {
  static constexpr int64_t kBlockElems = kQK_K;
  static constexpr size_t kWBlock = sizeof(Block);
  static constexpr size_t kXBlock = sizeof(block_q8_K);
  static constexpr size_t kWD = offsetof(Block, d);
  template <int R, int C>
  using Acc = TqAcc<R, C>;

  // The 32 activations i*32 .. i*32+31 of a Q8_K block, and the block's 16 bsums.
  static const __m256i* x_qs(const uint8_t* xb, int i) {
    return reinterpret_cast<const __m256i*>(xb + offsetof(block_q8_K, qs) + 32 * i);
  }
  static const __m256i* x_bsums(const uint8_t* xb) {
    return reinterpret_cast<const __m256i*>(xb + offsetof(block_q8_K, bsums));
  }
  template <int R, int C>
  static void finish(const MatmulArgs& a, int64_t m0, int64_t n0, const Acc<R, C>& acc) {
    tq_store_tile<R, C>(a, m0, n0, acc);
  }
};

// I2_S weights (32 code bytes per 128 elements) x I8_S activations.
struct I2sFormat {
  static constexpr int64_t kBlockElems = kI2sBlock;
  static constexpr size_t kWBlock = kI2sBlock / 4;
  static constexpr size_t kXBlock = kI2sBlock;
  template <int R, int C>
  using Acc = I2sAcc<R, C>;

  static const __m256i* x_at(const uint8_t* xb, int i) {
    return reinterpret_cast<const __m256i*>(xb + 32 * i);
  }
  template <int R, int C>
  static void finish(const MatmulArgs& a, int64_t m0, int64_t n0, const Acc<R, C>& acc) {
    i2s_store_tile<R, C>(a, m0, n0, acc);
  }
};

}  // namespace
}  // namespace bitnet::kernels
