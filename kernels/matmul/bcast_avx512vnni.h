// Row-interleaved vpdpbusd GEMM (AVX-512 VNNI) for 2-bit ternary codes: the prefill path. Include
// only from files built with the avx512vnni flags; anonymous namespace: see tiles.h. A format
// supplies a small policy (tq2_0_avx512vnni_bcast.cc, i2s_avx512vnni_bcast.cc) and registers one
// function calling bcast_matmul<Policy>.
//
// Why: the 4x1 vpdpbusd tile (dpbusd_avx512vnni.h) puts 16 dwords of ONE row in a register, so
// every (row, column, block) ends in a horizontal reduction, and each activation register is
// assembled from two 32-byte loads; at 128 columns it ran no faster than the AVX2 tiles. Here a
// register holds one dword (4 codes) of each of 16 ROWS, and the 4 matching activations of a
// column are an embedded broadcast ({1to16}) memory operand of vpdpbusd: lane j sums row j, so a
// block's 16 row sums are ready without any reduction, and one unpacked code register serves C
// columns (C accumulators live in registers). Per block, 16 rows and C columns the work is
// kDwords * 4 * C vpdpbusd against kDwords loads and 2 * 4 * kDwords shift/mask ops.
//
// Layouts (both packed per call, into thread-local scratch):
//  - weights, per strip of 16 rows: for block b and code dword p (bytes 4p..4p+3 of the block's
//    code bytes), one 64-byte vector with that dword of each row (a 16x16 dword transpose, done
//    with gathers once per strip and reused by every column tile). Field k of byte i of dword p
//    is element P::elem(p, k) + i (the formats' own code layouts make those 4 elements
//    consecutive), at bit shift P::shift(k).
//  - activations, per tile of C columns: for block b, dword p and field k, the C columns' 4 int8
//    activations at elements elem(p, k)..+3, contiguous, so the C broadcasts of a step address one
//    pointer with constant offsets.
//
// Exactness: vpdpbusd adds u8 x s8 products straight into int32 lanes (no saturation, no int16
// stage), so each lane is the exact Σ c·q of its row; the policy's epilogue follows the
// reference's float order (per block for TQ formats, once per row for I2_S).
//
// Policy P:
//   kBlockElems, kDwords        elements and code dwords per weight block
//   kPerBlock                   true: block_end(...) after every block (TQ); false: the int32
//                               sums run over the whole row and finish() sees them (I2_S)
//   elem(p, k), shift(k)        see above
//   codes(row, b, tmp)          the block's code bytes (in place, or decoded into tmp)
//   ColumnBlock                 what the epilogue needs per (column, block) (scale, Σq)
//   column_block(a, n, b, qs, cb)  the column's int8 activations of block b, and cb
//   row_scale(row, b)           the (row, block) f32 scale the epilogue needs (kPerBlock)
//   block_end(isum, dw, cb, facc)  the new facc after a block (kPerBlock)
//   finish(a, n, isum, facc)    16 f32 outputs of column n
#pragma once

#include <immintrin.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "bitnet/kernels/kernel.h"
#include "cache_aligned.h"

namespace bitnet::kernels {
namespace {

constexpr int kBcastRows = 16;  // rows per strip: one int32 lane each

// Per call and thread: the activations of every column tile and one strip's weights.
// Cache-line aligned: the tiles read w and wd with 64-byte loads.
template <class P>
struct BcastScratch {
  CacheAlignedVector<uint32_t> x;                   // per tile: [b][p][k][c] dwords
  CacheAlignedVector<typename P::ColumnBlock> xcb;  // per tile: [b][c]
  CacheAlignedVector<uint32_t> w;                   // the strip: [b][p][16 rows]
  CacheAlignedVector<float> wd;                     // the strip: [b][16 rows] (kPerBlock)
  CacheAlignedVector<uint8_t> tmp;                  // decoded code bytes of one block (P::codes)
};

// The activations of columns [n0, n0 + C) (C = the tile's real width) in the tile layout.
template <class P>
void pack_columns(const MatmulArgs& a, int64_t n0, int C, uint32_t* x,
                  typename P::ColumnBlock* xcb) {
  const int64_t nb = a.K / P::kBlockElems;
  for (int c = 0; c < C; ++c) {
    for (int64_t b = 0; b < nb; ++b) {
      const int8_t* q = P::column_block(a, n0 + c, b, xcb[b * C + c]);
      uint32_t* xb = x + b * P::kDwords * 4 * C;
      for (int p = 0; p < P::kDwords; ++p)
        for (int k = 0; k < 4; ++k) std::memcpy(xb + (p * 4 + k) * C + c, q + P::elem(p, k), 4);
    }
  }
}

// Rows [m0, m0 + rows) (rows <= 16) into the strip layout; missing rows get zero codes.
template <class P>
void pack_strip(const MatmulArgs& a, int64_t m0, int rows, BcastScratch<P>& s) {
  const int64_t nb = a.K / P::kBlockElems;
  const __mmask16 valid = static_cast<__mmask16>((1u << rows) - 1u);
  const __m512i idx =
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32(P::kDwords * 4));
  alignas(64) uint8_t codes[kBcastRows * P::kDwords * 4];
  for (int64_t b = 0; b < nb; ++b) {
    for (int j = 0; j < rows; ++j) {
      const uint8_t* row = a.w + (m0 + j) * static_cast<int64_t>(a.w_row_bytes);
      std::memcpy(codes + j * P::kDwords * 4, P::codes(row, b, s.tmp.data()), P::kDwords * 4);
      if constexpr (P::kPerBlock) s.wd[b * kBcastRows + j] = P::row_scale(row, b);
    }
    if constexpr (P::kPerBlock)
      for (int j = rows; j < kBcastRows; ++j) s.wd[b * kBcastRows + j] = 0.0f;
    uint32_t* wb = s.w.data() + b * P::kDwords * kBcastRows;
    for (int p = 0; p < P::kDwords; ++p)
      _mm512_storeu_si512(
          wb + p * kBcastRows,
          _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), valid, idx, codes + 4 * p, 1));
  }
}

// One strip x one tile of C columns.
template <class P, int C>
void bcast_tile(const MatmulArgs& a, const BcastScratch<P>& s, const uint32_t* x,
                const typename P::ColumnBlock* xcb, int64_t m0, int rows, int64_t n0) {
  const int64_t nb = a.K / P::kBlockElems;
  const __m512i three = _mm512_set1_epi8(3);
  __m512i acc[C];
  __m512 facc[C];
  for (int c = 0; c < C; ++c) {
    acc[c] = _mm512_setzero_si512();
    facc[c] = _mm512_setzero_ps();
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint32_t* wb = s.w.data() + b * P::kDwords * kBcastRows;
    const uint32_t* xb = x + b * P::kDwords * 4 * C;
    for (int p = 0; p < P::kDwords; ++p) {
      const __m512i packed = _mm512_loadu_si512(wb + p * kBcastRows);
      for (int k = 0; k < 4; ++k) {
        const int sh = P::shift(k);
        const __m512i code = _mm512_and_si512(sh ? _mm512_srli_epi16(packed, sh) : packed, three);
        const uint32_t* xk = xb + (p * 4 + k) * C;
        for (int c = 0; c < C; ++c)
          acc[c] = _mm512_dpbusd_epi32(acc[c], code, _mm512_set1_epi32(static_cast<int>(xk[c])));
      }
    }
    if constexpr (P::kPerBlock) {
      const __m512 dw = _mm512_loadu_ps(s.wd.data() + b * kBcastRows);
      for (int c = 0; c < C; ++c) {
        facc[c] = P::block_end(acc[c], dw, xcb[b * C + c], facc[c]);
        acc[c] = _mm512_setzero_si512();
      }
    }
  }
  const __mmask16 valid = static_cast<__mmask16>((1u << rows) - 1u);
  for (int c = 0; c < C; ++c) {
    const __m512 out = P::finish(a, n0 + c, acc[c], facc[c]);
    _mm512_mask_storeu_ps(a.y + (n0 + c) * a.y_col_stride + m0, valid, out);
  }
}

template <class P, int CT>
void bcast_matmul(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  using TileFn = void (*)(const MatmulArgs&, const BcastScratch<P>&, const uint32_t*,
                          const typename P::ColumnBlock*, int64_t, int, int64_t);
  static constexpr auto kTiles = []<size_t... I>(std::index_sequence<I...>) {
    return std::array<TileFn, CT>{&bcast_tile<P, static_cast<int>(I) + 1>...};
  }
  (std::make_index_sequence<CT>{});

  thread_local BcastScratch<P> s;
  const int64_t nb = a.K / P::kBlockElems;
  const int64_t N = a.x.N;
  s.x.resize(static_cast<size_t>(N * nb * P::kDwords * 4));
  s.xcb.resize(static_cast<size_t>(N * nb));
  s.w.resize(static_cast<size_t>(nb * P::kDwords * kBcastRows));
  if constexpr (P::kPerBlock) s.wd.resize(static_cast<size_t>(nb * kBcastRows));
  s.tmp.resize(P::kDwords * 4);
  // Tile t starts at column CT*t, so its packed data at CT*t columns' worth.
  for (int64_t n0 = 0; n0 < N; n0 += CT) {
    const int C = static_cast<int>(N - n0 < CT ? N - n0 : CT);
    pack_columns<P>(a, n0, C, s.x.data() + n0 * nb * P::kDwords * 4, s.xcb.data() + n0 * nb);
  }
  for (int64_t m = m_begin; m < m_end; m += kBcastRows) {
    const int rows = static_cast<int>(m_end - m < kBcastRows ? m_end - m : kBcastRows);
    pack_strip<P>(a, m, rows, s);
    for (int64_t n0 = 0; n0 < N; n0 += CT) {
      const int C = static_cast<int>(N - n0 < CT ? N - n0 : CT);
      kTiles[C - 1](a, s, s.x.data() + n0 * nb * P::kDwords * 4, s.xcb.data() + n0 * nb, m, rows,
                    n0);
    }
  }
}

}  // namespace
}  // namespace bitnet::kernels
