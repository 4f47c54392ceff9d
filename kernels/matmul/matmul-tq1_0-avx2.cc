// TQ1_0 weights x Q8_K activations, AVX2. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_tq1_0.cc).
//
// TQ1_0 stores 5 trits per byte in base 3, scaled so that digit n of byte b is
// floor(3 * (b * 3^n mod 256) / 256). Bytes are multiplied by 3 with two byte adds (mod 256 by
// construction), and the digit is the threshold count (v >= 86) + (v >= 171), computed with
// saturating subtracts (no multiplier needed: vpmaddubsw owns the only integer-multiply pipe
// on Zen). Element order per block: qs[0..31] hold elements m + 32n (one 32-byte vector per
// digit n), qs[32..47] hold 160 + m + 16n (two digits per 32-byte vector), qh[0..3] hold
// 240 + j + 4n. The rest is the TQ2_0 scheme (matmul-tq2_0-avx2.cc): codes 0..2 as the unsigned
// vpmaddubsw operand, accumulators start at -bsums, per-block epilogue for 4 rows in SSE lanes.
// int16 bound per lane and block: 8 x [-512, 508] minus a bsums lane stays within ±8191.
#include <immintrin.h>

#include <cstddef>

#include "avx2_util.h"
#include "bitnet/formats.h"
#include "bitnet/kernels_decl.h"
#include "tiles.h"
#include "tq_epilogue_avx2.h"

namespace bitnet::kernels {
namespace {

constexpr size_t kWBlock = sizeof(block_tq1_0);
constexpr size_t kWQh = offsetof(block_tq1_0, qh);
constexpr size_t kWD = offsetof(block_tq1_0, d);
constexpr size_t kXBlock = sizeof(block_q8_K);
constexpr size_t kXQs = offsetof(block_q8_K, qs);
constexpr size_t kXBsums = offsetof(block_q8_K, bsums);

inline __m256i times3(__m256i v) {
  return _mm256_add_epi8(v, _mm256_add_epi8(v, v));
}
inline __m128i times3(__m128i v) {
  return _mm_add_epi8(v, _mm_add_epi8(v, v));
}

// Base-3 digit of each byte v (already multiplied by 3^n): floor(3v/256) = (v>=86) + (v>=171).
inline __m256i digit(__m256i v) {
  const __m256i one = _mm256_set1_epi8(1);
  const __m256i a = _mm256_min_epu8(_mm256_subs_epu8(v, _mm256_set1_epi8(85)), one);
  const __m256i b =
      _mm256_min_epu8(_mm256_subs_epu8(v, _mm256_set1_epi8(static_cast<char>(170))), one);
  return _mm256_add_epi8(a, b);
}

// The 8 code vectors of one block, in the order of the 8 activation vectors y[32i .. 32i+31].
inline void decode_block(const uint8_t* wb, __m256i code[8]) {
  __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb));
  for (int n = 0; n < 5; ++n) {
    if (n > 0) a = times3(a);
    code[n] = digit(a);
  }
  const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb + 32));
  const __m128i b1 = times3(b0), b2 = times3(b1), b3 = times3(b2), b4 = times3(b3);
  // qh: byte l (0..15) = qh[l % 4] * 3^(l / 4) mod 256 (16-bit multiplies, low bytes kept).
  uint32_t qh;
  std::memcpy(&qh, wb + kWQh, sizeof qh);
  const __m256i h16 =
      _mm256_mullo_epi16(_mm256_cvtepu8_epi16(_mm_set1_epi32(static_cast<int>(qh))),
                         _mm256_setr_epi16(1, 1, 1, 1, 3, 3, 3, 3, 9, 9, 9, 9, 27, 27, 27, 27));
  const __m256i h16m = _mm256_and_si256(h16, _mm256_set1_epi16(0xff));
  const __m128i h =
      _mm_packus_epi16(_mm256_castsi256_si128(h16m), _mm256_extracti128_si256(h16m, 1));
  code[5] = digit(_mm256_inserti128_si256(_mm256_castsi128_si256(b0), b1, 1));
  code[6] = digit(_mm256_inserti128_si256(_mm256_castsi128_si256(b2), b3, 1));
  code[7] = digit(_mm256_inserti128_si256(_mm256_castsi128_si256(b4), h, 1));
}

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
