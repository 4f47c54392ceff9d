// Table-lookup (T-MAC style) GEMM driver for 2-bit ternary codes, AVX2; include only from files
// built with the avx2 flags. A format supplies a small policy (see tq_lut_avx2.h, i2s_avx2_lut.cc)
// and registers one function calling lut_matmul<Policy>.
//
// Why: vpmaddubsw runs on one port of Zen 1 (2 cycles per 256-bit op), which caps the maddubs
// kernels at 16 MACs per cycle and core, and they reach ~11 in a GEMM. Here the multiplies become
// additions of precomputed sums: one nibble of a code byte holds two elements' codes, so for every
// such element pair and a tile of 16 activation columns, a 16-entry table holds
// (c0-1)*x[e0][n] + (c1-1)*x[e1][n] for all codes c0, c1 in 0..3 as int16. A row then costs one
// 256-bit table load + add per nibble (2 weights x 16 columns), bounded by the load ports (one
// 256-bit load per cycle): 32 MACs per cycle.
//
// Exactness: table entries lie in [-512, 508] (codes up to 3, int8 activations), so the 64
// lookups of a 32-byte group sum to within int16 ([-32768, 32512]); each group is widened to
// int32. The policy's epilogue then follows the reference's float order.
//
// Tables are built per call, per 16-column tile and per 16 code bytes (32 pairs, 16 KiB: stays
// in L1 while every row of the call uses it; a whole TQ2_0 block's 64 KiB did not, and each lookup
// then cost an L2 line). So the row loop is innermost and each row's partial sums live in a
// scratch array between chunks and blocks.
//
// Policy P:
//   kBlockElems, kCodeBytes          elements and code bytes per weight block
//   kDecodes                         false: code_bytes(row, b) is the block's code bytes in place;
//                                    true: decode_codes(row, b, out) writes them (once per row and
//                                    block, before the block's table chunks)
//   pair(byte, nib, &e0, &e1)        elements whose codes are bits 1:0 (e0) and 3:2 (e1) of nibble
//                                    nib (0 = low) of code byte `byte`, as block element indices
//   column(a, n, b)                  int8 activations of block b of column n
//   Tile                             per-16-column state; tile_begin(a, n0, nc, tile)
//   block_begin(a, n0, nc, b, tile)  per block of the tile (e.g. activation block scales)
//   block_end(row, b, tile, rs)      after a row's block (rs.isum holds the block's exact sums)
//   row_end(a, row, n0, nc, tile, rs, out[16])  the row's 16 outputs
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "bitnet/kernels/kernel.h"

namespace bitnet::kernels {
namespace {

constexpr int kLutCols = 16;        // activation columns per tile: one __m256i of int16
constexpr int kLutEntries = 16;     // codes c0 | c1 << 2
constexpr int kLutChunkBytes = 16;  // code bytes per table chunk (32 pairs, 16 KiB)
constexpr int kLutGroupBytes = 32;  // code bytes summed in int16 before widening (64 lookups)

// One __m256i worth of int16 (a vector<__m256i> would drop the type's alignment attribute).
struct alignas(32) LutVec {
  int16_t v[kLutCols];
};

// Per output row, between chunks and blocks: the int16 sum of the current 32-byte group, int32
// sums of the block (or the row, as the policy decides) and f32 sums (columns 0..7, 8..15).
struct alignas(32) LutRowSums {
  __m256i part;
  __m256i isum[2];
  __m256 acc[2];
};

// 16x16 byte transpose: out[j] = (in[0][j], ..., in[15][j]).
inline void transpose16x16(const __m128i (&in)[16], __m128i (&out)[16]) {
  __m128i b[16], c[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = _mm_unpacklo_epi8(in[2 * i], in[2 * i + 1]);      // elements 0..7, rows 2i, 2i+1
    b[i + 8] = _mm_unpackhi_epi8(in[2 * i], in[2 * i + 1]);  // elements 8..15
  }
  for (int i = 0; i < 4; ++i) {  // c[4q + i]: elements 4q..4q+3, rows 4i..4i+3
    c[i] = _mm_unpacklo_epi16(b[2 * i], b[2 * i + 1]);
    c[i + 4] = _mm_unpackhi_epi16(b[2 * i], b[2 * i + 1]);
    c[i + 8] = _mm_unpacklo_epi16(b[2 * i + 8], b[2 * i + 9]);
    c[i + 12] = _mm_unpackhi_epi16(b[2 * i + 8], b[2 * i + 9]);
  }
  for (int q = 0; q < 4; ++q) {
    const __m128i l0 = _mm_unpacklo_epi32(c[4 * q], c[4 * q + 1]);  // rows 0..7
    const __m128i l1 = _mm_unpackhi_epi32(c[4 * q], c[4 * q + 1]);
    const __m128i h0 = _mm_unpacklo_epi32(c[4 * q + 2], c[4 * q + 3]);  // rows 8..15
    const __m128i h1 = _mm_unpackhi_epi32(c[4 * q + 2], c[4 * q + 3]);
    out[4 * q] = _mm_unpacklo_epi64(l0, h0);
    out[4 * q + 1] = _mm_unpackhi_epi64(l0, h0);
    out[4 * q + 2] = _mm_unpacklo_epi64(l1, h1);
    out[4 * q + 3] = _mm_unpackhi_epi64(l1, h1);
  }
}

// xt[e] = q[n][e] of the nc (<= 16) columns as int16 (missing columns zero), e < count.
inline void transpose_columns(const int8_t* const (&col)[kLutCols], int nc, int count,
                              __m256i* xt) {
  for (int e0 = 0; e0 < count; e0 += 16) {
    __m128i in[16], out[16];
    for (int n = 0; n < kLutCols; ++n)
      in[n] = n < nc ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(col[n] + e0))
                     : _mm_setzero_si128();
    transpose16x16(in, out);
    for (int j = 0; j < 16; ++j) xt[e0 + j] = _mm256_cvtepi8_epi16(out[j]);
  }
}

// Tables for the 2 * kLutChunkBytes pairs of code bytes [byte0, byte0 + kLutChunkBytes):
// entry (2i + nib) * kLutEntries + (c0 | c1 << 2) for byte byte0 + i.
template <class P>
void build_tables(const __m256i* xt, int byte0, __m256i* table) {
  const __m256i zero = _mm256_setzero_si256();
  for (int i = 0; i < kLutChunkBytes; ++i) {
    for (int nib = 0; nib < 2; ++nib) {
      int e0, e1;
      P::pair(byte0 + i, nib, e0, e1);
      const __m256i v0 = xt[e0], v1 = xt[e1];
      const __m256i t0[4] = {_mm256_sub_epi16(zero, v0), zero, v0, _mm256_add_epi16(v0, v0)};
      const __m256i t1[4] = {_mm256_sub_epi16(zero, v1), zero, v1, _mm256_add_epi16(v1, v1)};
      __m256i* t = table + (2 * i + nib) * kLutEntries;
      for (int c1 = 0; c1 < 4; ++c1)
        for (int c0 = 0; c0 < 4; ++c0) t[c0 | c1 << 2] = _mm256_add_epi16(t0[c0], t1[c1]);
    }
  }
}

// Σ of the 2 * kLutChunkBytes entries that kLutChunkBytes code bytes select, int16.
inline __m256i lookup_chunk(const uint8_t* codes, const __m256i* table) {
  __m256i s0 = _mm256_setzero_si256(), s1 = s0;
  for (int j = 0; j < kLutChunkBytes; j += 8) {
    uint64_t w;
    std::memcpy(&w, codes + j, sizeof w);
    const __m256i* t = table + 2 * j * kLutEntries;
    for (int k = 0; k < 8; ++k, w >>= 8, t += 2 * kLutEntries) {
      s0 = _mm256_add_epi16(s0, _mm256_loadu_si256(t + (w & 15)));
      s1 = _mm256_add_epi16(s1, _mm256_loadu_si256(t + kLutEntries + ((w >> 4) & 15)));
    }
  }
  return _mm256_add_epi16(s0, s1);
}

template <class P>
void lut_matmul_rows(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  static_assert(P::kCodeBytes % kLutGroupBytes == 0 && kLutGroupBytes % kLutChunkBytes == 0);
  constexpr int kChunks = P::kCodeBytes / kLutChunkBytes;
  constexpr int kChunksPerGroup = kLutGroupBytes / kLutChunkBytes;
  struct Scratch {
    std::vector<LutVec> xt, table;
    std::vector<LutRowSums> rows;
    std::vector<uint8_t> codes;  // decoded code bytes of the current block (kDecodes)
  };
  thread_local Scratch scratch;
  const int64_t rows = m_end - m_begin;
  const int64_t nb = a.K / P::kBlockElems;
  scratch.xt.resize(P::kBlockElems);
  scratch.table.resize(2 * kLutChunkBytes * kLutEntries);
  scratch.rows.resize(static_cast<size_t>(rows));
  if constexpr (P::kDecodes) scratch.codes.resize(static_cast<size_t>(rows * P::kCodeBytes));
  auto* const xt = reinterpret_cast<__m256i*>(scratch.xt.data());
  auto* const table = reinterpret_cast<__m256i*>(scratch.table.data());
  LutRowSums* const rs = scratch.rows.data();
  const auto row = [&](int64_t r) {
    return a.w + (m_begin + r) * static_cast<int64_t>(a.w_row_bytes);
  };

  for (int64_t n0 = 0; n0 < a.x.N; n0 += kLutCols) {
    const int nc = static_cast<int>(a.x.N - n0 < kLutCols ? a.x.N - n0 : kLutCols);
    typename P::Tile tile;
    P::tile_begin(a, n0, nc, tile);
    for (int64_t r = 0; r < rows; ++r) {
      rs[r].isum[0] = rs[r].isum[1] = _mm256_setzero_si256();
      rs[r].acc[0] = rs[r].acc[1] = _mm256_setzero_ps();
    }
    for (int64_t b = 0; b < nb; ++b) {
      const int8_t* col[kLutCols];
      for (int n = 0; n < kLutCols; ++n) col[n] = n < nc ? P::column(a, n0 + n, b) : nullptr;
      transpose_columns(col, nc, P::kBlockElems, xt);
      P::block_begin(a, n0, nc, b, tile);
      const auto codes = [&](int64_t r) -> const uint8_t* {
        if constexpr (P::kDecodes) return scratch.codes.data() + r * P::kCodeBytes;
        return P::code_bytes(row(r), b);
      };
      if constexpr (P::kDecodes)
        for (int64_t r = 0; r < rows; ++r)
          P::decode_codes(row(r), b, scratch.codes.data() + r * P::kCodeBytes);
      for (int chunk = 0; chunk < kChunks; ++chunk) {
        build_tables<P>(xt, kLutChunkBytes * chunk, table);
        const int in_group = chunk % kChunksPerGroup;
        for (int64_t r = 0; r < rows; ++r) {
          const __m256i s = lookup_chunk(codes(r) + kLutChunkBytes * chunk, table);
          LutRowSums& q = rs[r];
          q.part = in_group == 0 ? s : _mm256_add_epi16(q.part, s);
          if (in_group != kChunksPerGroup - 1) continue;
          q.isum[0] =
              _mm256_add_epi32(q.isum[0], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(q.part)));
          q.isum[1] = _mm256_add_epi32(q.isum[1],
                                       _mm256_cvtepi16_epi32(_mm256_extracti128_si256(q.part, 1)));
        }
      }
      for (int64_t r = 0; r < rows; ++r) P::block_end(row(r), b, tile, rs[r]);
    }
    for (int64_t r = 0; r < rows; ++r) {
      alignas(32) float out[kLutCols];
      P::row_end(a, row(r), n0, nc, tile, rs[r], out);
      for (int n = 0; n < nc; ++n) a.y[(n0 + n) * a.y_col_stride + m_begin + r] = out[n];
    }
  }
}

// Rows in ranges of at most kLutMaxRows per pass, so the rows' partial sums (160 B each) and the
// weight lines a chunk pass touches stay in L2 (512 KiB on Zen 1) until the next chunk reuses
// them. One pass over 6912 rows (the 1-thread FFN) ran 2x slower per row than 864-row passes;
// 1-thread prefill 128: 14.1 (one pass) -> 18.9 (1024) -> 19.2 (512) -> 19.3 (256) tokens/s, but
// 256 costs 2 threads 8 % (more table rebuilds).
constexpr int64_t kLutMaxRows = 512;

template <class P>
void lut_matmul(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  for (int64_t m = m_begin; m < m_end; m += kLutMaxRows)
    lut_matmul_rows<P>(a, m, m_end - m < kLutMaxRows ? m_end : m + kLutMaxRows);
}

}  // namespace
}  // namespace bitnet::kernels
