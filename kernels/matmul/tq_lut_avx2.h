// The table-lookup policy (lut_avx2.h) for TQ2_0 and TQ1_0 weights x Q8_K activations, AVX2: the
// GEMM (prefill) path of tq2_0_avx2_lut.cc and tq1_0_avx2_lut.cc. Exact contract: kernel.h
// (bit-identical to kernels/ref/matmul_tq{2,1}_0.cc). Include only from files built with the avx2
// flags; anonymous namespace: see tiles.h.
//
// Code byte B = 32h + j (h = 128-element half, j = 0..31) holds elements 128h+j, +32, +64, +96 in
// bits 1:0, 3:2, 5:4, 7:6: TQ2_0's own layout. TQ1_0 blocks are decoded into that layout once per
// row and block (tq1_decode_avx2.h yields the codes of elements 32i..32i+31 as vector i, so byte m
// of half h packs vectors 4h..4h+3). Each 256-element block ends in its fp16 scale; after every
// block the exact block sums go through the reference's epilogue:
// acc = acc + (float)isum * (d_w * d_x).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <type_traits>

#include "bitnet/formats/blocks.h"
#include "lut_avx2.h"
#include "tiles.h"
#include "tq1_decode_avx2.h"

namespace bitnet::kernels {
namespace {

template <class Block>
struct TqLut {
  static constexpr int kBlockElems = kQK_K;
  static constexpr int kCodeBytes = kQK_K / 4;
  static constexpr bool kDecodes = !std::is_same_v<Block, block_tq2_0>;
  struct Tile {
    alignas(32) float dx[kLutCols];  // the columns' scales of the current block
  };

  static const uint8_t* block(const uint8_t* row, int64_t b) { return row + b * sizeof(Block); }
  static const uint8_t* code_bytes(const uint8_t* row, int64_t b) { return block(row, b); }
  // TQ1_0: the 8 code vectors, packed 4 per byte (codes are 0..2, so 16-bit shifts stay in the
  // byte).
  static void decode_codes(const uint8_t* row, int64_t b, uint8_t* out) {
    __m256i code[8];
    decode_block(block(row, b), code);
    for (int h = 0; h < 2; ++h) {
      const __m256i* c = code + 4 * h;
      const __m256i packed =
          _mm256_or_si256(_mm256_or_si256(c[0], _mm256_slli_epi16(c[1], 2)),
                          _mm256_or_si256(_mm256_slli_epi16(c[2], 4), _mm256_slli_epi16(c[3], 6)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * h), packed);
    }
  }
  static void pair(int byte, int nib, int& e0, int& e1) {
    e0 = 128 * (byte / 32) + byte % 32 + 64 * nib;
    e1 = e0 + 32;
  }
  static const int8_t* column_block(const MatmulArgs& a, int64_t n, int64_t b) {
    return reinterpret_cast<const int8_t*>(a.x.data + n * static_cast<int64_t>(a.x.col_bytes) +
                                           b * sizeof(block_q8_K));
  }
  static const int8_t* column(const MatmulArgs& a, int64_t n, int64_t b) {
    return column_block(a, n, b) + offsetof(block_q8_K, qs);
  }
  static void tile_begin(const MatmulArgs&, int64_t, int, Tile&) {}
  static void block_begin(const MatmulArgs& a, int64_t n0, int nc, int64_t b, Tile& t) {
    for (int n = 0; n < kLutCols; ++n)
      t.dx[n] =
          n < nc ? load_f32_at(reinterpret_cast<const uint8_t*>(column_block(a, n0 + n, b))) : 0.0f;
  }
  static void block_end(const uint8_t* row, int64_t b, const Tile& t, LutRowSums& rs) {
    const __m256 dw = _mm256_set1_ps(_cvtsh_ss(load_u16_at(block(row, b) + offsetof(Block, d))));
    for (int i = 0; i < 2; ++i) {
      const __m256 d = _mm256_mul_ps(dw, _mm256_load_ps(t.dx + 8 * i));
      rs.acc[i] = _mm256_add_ps(rs.acc[i], _mm256_mul_ps(_mm256_cvtepi32_ps(rs.isum[i]), d));
      rs.isum[i] = _mm256_setzero_si256();
    }
  }
  static void row_end(const MatmulArgs&, const uint8_t*, int64_t, int, const Tile&,
                      const LutRowSums& rs, float* out) {
    _mm256_store_ps(out, rs.acc[0]);
    _mm256_store_ps(out + 8, rs.acc[1]);
  }
};

}  // namespace
}  // namespace bitnet::kernels
