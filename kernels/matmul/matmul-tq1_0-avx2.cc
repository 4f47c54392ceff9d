// TQ1_0 weights x Q8_K activations, AVX2. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_tq1_0.cc).
//
// The base-3 digits are decoded to 2-bit codes with byte adds and saturating subtracts
// (tq1_decode_avx2.h), then the TQ2_0 scheme (matmul-tq2_0-avx2.cc): codes 0..2 as the unsigned
// vpmaddubsw operand, accumulators start at -bsums, per-block epilogue for 4 rows in SSE lanes.
// int16 bound per lane and block: 8 x [-512, 508] minus a bsums lane stays within ±8191.
#include <immintrin.h>

#include <cstddef>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "tiles.h"
#include "tq1_decode_avx2.h"
#include "tq_epilogue_avx2.h"

namespace bitnet::kernels {
namespace {

constexpr size_t kWBlock = sizeof(block_tq1_0);
constexpr size_t kWD = offsetof(block_tq1_0, d);
constexpr size_t kXBlock = sizeof(block_q8_K);
constexpr size_t kXQs = offsetof(block_q8_K, qs);
constexpr size_t kXBsums = offsetof(block_q8_K, bsums);

template <int R, int C>
struct Tq1Avx2Tile {
  static void run(const MatmulArgs& a, int64_t m0, int64_t n0) {
    const int64_t nb = a.K / kQK_K;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
    const uint8_t* x[C];
    for (int c = 0; c < C; ++c) x[c] = a.x.data + (n0 + c) * static_cast<int64_t>(a.x.col_bytes);

    const __m256i zero = _mm256_setzero_si256();
    constexpr int kGroups = (R + 3) / 4;
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
      for (int r = 0; r < R; ++r) {
        __m256i code[8];
        decode_block(wb[r], code);
        for (int c = 0; c < C; ++c) {
          for (int i = 0; i < 8; ++i) {
            const __m256i y =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[c] + kXQs + 32 * i));
            s[r][c] = _mm256_add_epi16(s[r][c], _mm256_maddubs_epi16(code[i], y));
            pin(s[r][c]);
          }
        }
      }

      tq_block_epilogue<R, C>(wb, kWD, xb, s, acc);
    }
    store_tile<R, C>(a.y, a.y_col_stride, m0, n0, acc);
  }
};

}  // namespace

void matmul_tq1_0_q8k_4x1__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<Tq1Avx2Tile, 4, 1>(a, m_begin, m_end);
}

void matmul_tq1_0_q8k_2x4__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<Tq1Avx2Tile, 2, 4>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
