// TQ2_0 weights x Q8_K activations, AVX2. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_tq2_0.cc).
//
// How: the 2-bit codes c (0..2) are the unsigned operand of vpmaddubsw against the signed int8
// activations, so no sign trick is needed; the +1 code offset is removed by starting each
// block's int16 accumulator at -bsums (Σ q of the block, part of Q8_K). A tile of R rows x C
// columns unpacks each weight byte once per tile and loads each activation vector once per
// tile, and the R per-row block sums are reduced together (hsum4_i16), so the per-block
// epilogue (int -> float, x d, + acc) runs on R rows at once in SSE lanes, in the reference's
// order. int16 bounds per lane and block, for any bytes: 8 vpmaddubsw of codes 0..3 against
// int8 give [-6144, 6096]; minus a bsums lane [-2048, 2032] stays within ±8191 (hsum4_i16's
// precondition).
#include <immintrin.h>

#include <cstddef>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "tiles.h"
#include "tq_epilogue_avx2.h"

namespace bitnet::kernels {
namespace {

constexpr size_t kWBlock = sizeof(block_tq2_0);
constexpr size_t kXBlock = sizeof(block_q8_K);
constexpr size_t kXQs = offsetof(block_q8_K, qs);
constexpr size_t kXBsums = offsetof(block_q8_K, bsums);
constexpr size_t kWD = offsetof(block_tq2_0, d);

template <int R, int C>
struct Tq2Avx2Tile {
  static void run(const MatmulArgs& a, int64_t m0, int64_t n0) {
    const int64_t nb = a.K / kQK_K;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
    const uint8_t* x[C];
    for (int c = 0; c < C; ++c) x[c] = a.x.data + (n0 + c) * static_cast<int64_t>(a.x.col_bytes);

    const __m256i m3 = _mm256_set1_epi8(3);
    const __m256i zero = _mm256_setzero_si256();
    constexpr int kGroups = (R + 3) / 4;  // rows are finished 4 at a time
    __m128 acc[kGroups][C];
    for (int g = 0; g < kGroups; ++g)
      for (int c = 0; c < C; ++c) acc[g][c] = _mm_setzero_ps();

    for (int64_t b = 0; b < nb; ++b) {
      const uint8_t* wb[R];
      for (int r = 0; r < R; ++r) wb[r] = w[r] + b * kWBlock;
      prefetch_span(w[R - 1], a.w_row_bytes + b * (R * kWBlock), R * kWBlock);
      const uint8_t* xb[C];
      for (int c = 0; c < C; ++c) xb[c] = x[c] + b * kXBlock;

      __m256i s[R][C];
      for (int c = 0; c < C; ++c) {
        const __m256i nbs = _mm256_sub_epi16(
            zero, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[c] + kXBsums)));
        for (int r = 0; r < R; ++r) s[r][c] = nbs;
      }
      for (int h = 0; h < 2; ++h) {
        __m256i q[R];
        for (int r = 0; r < R; ++r)
          q[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[r] + 32 * h));
        for (int k = 0; k < 4; ++k) {
          for (int c = 0; c < C; ++c) {
            const __m256i y = _mm256_loadu_si256(
                reinterpret_cast<const __m256i*>(xb[c] + kXQs + 128 * h + 32 * k));
            for (int r = 0; r < R; ++r) {
              const __m256i sh = k > 0 ? _mm256_srli_epi16(q[r], 2 * k) : q[r];
              s[r][c] =
                  _mm256_add_epi16(s[r][c], _mm256_maddubs_epi16(_mm256_and_si256(sh, m3), y));
              pin(s[r][c]);
            }
          }
        }
      }

      // Per-row scales of this block, 4 fp16 -> f32 (exact), then the reference's epilogue for
      // 4 rows at a time in SSE lanes.
      tq_block_epilogue<R, C>(wb, kWD, xb, s, acc);
    }
    store_tile<R, C>(a.y, a.y_col_stride, m0, n0, acc);
  }
};

}  // namespace

void matmul_tq2_0_q8k_1x1__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<Tq2Avx2Tile, 1, 1>(a, m_begin, m_end);
}

void matmul_tq2_0_q8k_4x1__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<Tq2Avx2Tile, 4, 1>(a, m_begin, m_end);
}

void matmul_tq2_0_q8k_2x4__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<Tq2Avx2Tile, 2, 4>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
