// TQ2_0 weights x Q8_K activations by table lookup (T-MAC style), AVX2: the GEMM (prefill) path.
// Exact contract: kernel.h (bit-identical to kernels/ref/matmul_tq2_0.cc).
//
// Why: vpmaddubsw runs on one port of Zen 1 (2 cycles per 256-bit op), which caps the maddubs
// kernels at 16 MACs per cycle and core, and they reach ~11 in a GEMM. Here the multiplies become
// additions of precomputed sums: one nibble of a TQ2_0 byte holds the codes of two elements
// (bits 1:0 and 3:2 are elements j and j+32 of a 128-element half; bits 5:4 and 7:6 are j+64 and
// j+96), so for every such element pair and a tile of 16 activation columns, a 16-entry table
// holds (c0-1)*x[e0][n] + (c1-1)*x[e1][n] for all codes c0, c1 in 0..3 as int16. A row then costs
// one 256-bit table load + add per nibble (2 weights x 16 columns), bounded by the load ports
// (one 256-bit load per cycle): 32 MACs per cycle.
//
// Exactness: table entries lie in [-512, 508] (codes up to 3, int8 activations), so 32 lookups
// stay within [-16384, 16256] and the two nibble accumulators of a 128-element half add to within
// int16 ([-32768, 32512]); halves are widened to int32, giving the block's exact isum. The f32
// epilogue is the reference's: acc = acc + (float)isum * (d_w * d_x), block by block.
//
// Tables are built per call, per 16-column tile and per quarter block (16 KiB, L1-resident), and
// shared by all rows of the call; so the row loop is innermost and each row's partial sums live in
// a scratch array between chunks and blocks.
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include "bitnet/formats.h"
#include "bitnet/kernels_decl.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

constexpr int kCols = 16;     // activation columns per table entry: one __m256i of int16
constexpr int kEntries = 16;  // codes c0 | c1 << 2
constexpr size_t kWBlock = sizeof(block_tq2_0);
constexpr size_t kXBlock = sizeof(block_q8_K);
constexpr size_t kXQs = offsetof(block_q8_K, qs);
constexpr size_t kWD = offsetof(block_tq2_0, d);

constexpr int kTableBytes = 16;  // weight bytes per table chunk (32 pairs, 16 KiB of tables)

// One __m256i worth of int16 (a vector<__m256i> would drop the type's alignment attribute).
struct alignas(32) I16x16 {
  int16_t v[kCols];
};

// Per output row, between table chunks and blocks: the first chunk's int16 sum of a half, the
// block's int32 sums and the running f32 sums (columns 0..7, 8..15).
struct alignas(32) RowSums {
  __m256i part;
  __m256i isum[2];
  __m256 acc[2];
};

struct Scratch {
  std::vector<I16x16> xt;     // 256 elements x 16 columns of one block
  std::vector<I16x16> table;  // one chunk: 2 * kTableBytes pairs x kEntries
  std::vector<RowSums> rows;
  __m256i* xt_data() { return reinterpret_cast<__m256i*>(xt.data()); }
  __m256i* table_data() { return reinterpret_cast<__m256i*>(table.data()); }
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

// Block b of columns n0..n0+nc-1 (nc <= 16; missing columns are zero): xt[e] = the 16 columns'
// q_x[e] as int16, dx[n] = the columns' block scales.
void load_block_columns(const MatmulArgs& a, int64_t n0, int nc, int64_t b, __m256i* xt,
                        float* dx) {
  const uint8_t* col[kCols];
  for (int n = 0; n < kCols; ++n) {
    col[n] =
        n < nc ? a.x.data + (n0 + n) * static_cast<int64_t>(a.x.col_bytes) + b * kXBlock : nullptr;
    dx[n] = n < nc ? load_f32_at(col[n]) : 0.0f;
  }
  for (int e0 = 0; e0 < kQK_K; e0 += 16) {
    __m128i in[16], out[16];
    for (int n = 0; n < kCols; ++n)
      in[n] = n < nc ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(col[n] + kXQs + e0))
                     : _mm_setzero_si128();
    transpose16x16(in, out);
    for (int j = 0; j < 16; ++j) xt[e0 + j] = _mm256_cvtepi8_epi16(out[j]);
  }
}

// Tables for the 32 element pairs of qs bytes [byte0, byte0 + 16) of a block: pair 2*i + nibble
// for byte byte0 + i; for qs byte B = 32h + j (h = half, j = 0..31) the low nibble pairs elements
// 128h+j and 128h+j+32, the high one 128h+j+64 and 128h+j+96. 16 KiB: stays in L1 while every
// row of the call uses it (a whole block's 64 KiB did not, and each lookup then cost an L2 line).
void build_tables(const __m256i* xt, int byte0, __m256i* table) {
  const __m256i zero = _mm256_setzero_si256();
  for (int i = 0; i < kTableBytes; ++i) {
    const int h = (byte0 + i) / 32, j = (byte0 + i) % 32;
    for (int nib = 0; nib < 2; ++nib) {
      const __m256i v0 = xt[128 * h + j + 64 * nib];
      const __m256i v1 = xt[128 * h + j + 64 * nib + 32];
      const __m256i t0[4] = {_mm256_sub_epi16(zero, v0), zero, v0, _mm256_add_epi16(v0, v0)};
      const __m256i t1[4] = {_mm256_sub_epi16(zero, v1), zero, v1, _mm256_add_epi16(v1, v1)};
      __m256i* t = table + (2 * i + nib) * kEntries;
      for (int c1 = 0; c1 < 4; ++c1)
        for (int c0 = 0; c0 < 4; ++c0) t[c0 | c1 << 2] = _mm256_add_epi16(t0[c0], t1[c1]);
    }
  }
}

// Σ of the 32 table entries that 16 weight bytes select (2 per byte), for 16 columns, int16.
inline __m256i lookup16(const uint8_t* qs, const __m256i* table) {
  __m256i s0 = _mm256_setzero_si256(), s1 = s0;
  for (int j = 0; j < kTableBytes; j += 8) {
    uint64_t w;
    std::memcpy(&w, qs + j, sizeof w);
    const __m256i* t = table + 2 * j * kEntries;
    for (int k = 0; k < 8; ++k, w >>= 8, t += 2 * kEntries) {
      s0 = _mm256_add_epi16(s0, _mm256_loadu_si256(t + (w & 15)));
      s1 = _mm256_add_epi16(s1, _mm256_loadu_si256(t + kEntries + ((w >> 4) & 15)));
    }
  }
  return _mm256_add_epi16(s0, s1);
}

}  // namespace

void matmul_tq2_0_q8k_16x16__avx2_lut(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  thread_local Scratch scratch;
  const int64_t rows = m_end - m_begin;
  const int64_t nb = a.K / kQK_K;
  scratch.xt.resize(kQK_K);
  scratch.table.resize(2 * kTableBytes * kEntries);
  scratch.rows.resize(static_cast<size_t>(rows));
  __m256i* const xt = scratch.xt_data();
  __m256i* const table = scratch.table_data();
  RowSums* const rs = scratch.rows.data();
  const auto wblock = [&](int64_t r, int64_t b) {
    return a.w + (m_begin + r) * static_cast<int64_t>(a.w_row_bytes) + b * kWBlock;
  };
  alignas(32) float dx[kCols];

  for (int64_t n0 = 0; n0 < a.x.N; n0 += kCols) {
    const int nc = static_cast<int>(a.x.N - n0 < kCols ? a.x.N - n0 : kCols);
    for (int64_t r = 0; r < rows; ++r) rs[r].acc[0] = rs[r].acc[1] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      load_block_columns(a, n0, nc, b, xt, dx);
      // A 128-element half is two table chunks; its int16 sum (64 lookups) fits (see top).
      for (int chunk = 0; chunk < 4; ++chunk) {
        build_tables(xt, kTableBytes * chunk, table);
        const bool second = chunk % 2 == 1;
        for (int64_t r = 0; r < rows; ++r) {
          __m256i s = lookup16(wblock(r, b) + kTableBytes * chunk, table);
          if (!second) {
            rs[r].part = s;
            continue;
          }
          s = _mm256_add_epi16(s, rs[r].part);
          const __m256i lo = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(s));
          const __m256i hi = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(s, 1));
          rs[r].isum[0] = chunk == 1 ? lo : _mm256_add_epi32(rs[r].isum[0], lo);
          rs[r].isum[1] = chunk == 1 ? hi : _mm256_add_epi32(rs[r].isum[1], hi);
        }
      }
      const __m256 dx_lo = _mm256_load_ps(dx), dx_hi = _mm256_load_ps(dx + 8);
      for (int64_t r = 0; r < rows; ++r) {
        const __m256 dw = _mm256_set1_ps(fp16_to_fp32(load_u16_at(wblock(r, b) + kWD)));
        rs[r].acc[0] = _mm256_add_ps(rs[r].acc[0], _mm256_mul_ps(_mm256_cvtepi32_ps(rs[r].isum[0]),
                                                                 _mm256_mul_ps(dw, dx_lo)));
        rs[r].acc[1] = _mm256_add_ps(rs[r].acc[1], _mm256_mul_ps(_mm256_cvtepi32_ps(rs[r].isum[1]),
                                                                 _mm256_mul_ps(dw, dx_hi)));
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      alignas(32) float out[kCols];
      _mm256_store_ps(out, rs[r].acc[0]);
      _mm256_store_ps(out + 8, rs[r].acc[1]);
      for (int n = 0; n < nc; ++n) a.y[(n0 + n) * a.y_col_stride + m_begin + r] = out[n];
    }
  }
}

}  // namespace bitnet::kernels
