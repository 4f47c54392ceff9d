// TQ2_0 x Q8_K and I2_S x I8_S matmul with AVX-512 VNNI. Exact contract: kernel.h.
//
// UNVERIFIED ON THE DEVELOPMENT MACHINE (AMD Zen 1, no AVX-512): this file is compiled in every
// build, but its kernels are registered as kAvx512Vnni, so on CPUs without AVX512_VNNI the
// registry marks them unavailable and the tests skip them. They run (and are tested bit for bit
// against the references by tests/test_kernels_matmul.cc) only on VNNI hardware.
//
// How: vpdpbusd multiplies the unsigned codes (0..3) by the signed int8 activations and adds
// groups of 4 products straight into int32 lanes, so there is no int16 stage and no overflow
// bound to respect. A 64-byte register holds the codes of one TQ2_0 block half-pair (fields of
// qs[0..63]) or of two I2_S blocks; the matching activations are two 32-byte pieces, loaded
// into the halves of one register. TQ2_0 keeps the per-block epilogue of the AVX2 kernel
// (4 rows reduced together, f32 in SSE lanes, the reference's order); I2_S sums the whole row
// in int32 and applies the reference's epilogue once.
#include <immintrin.h>

#include <cstddef>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

// Two 32-byte pieces -> one 64-byte register (lo, hi).
inline __m512i load_2x32(const uint8_t* lo, const uint8_t* hi) {
  return _mm512_inserti64x4(
      _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo))),
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi)), 1);
}

// 16 int32 lanes -> 8 (halves added), for the AVX2 reduction helpers.
// (vshufi64x2 rather than vextracti64x4: GCC 12's extract intrinsic warns about its own
// _mm256_undefined_si256.)
inline __m256i fold512(__m512i v) {
  return _mm256_add_epi32(_mm512_castsi512_si256(v),
                          _mm512_castsi512_si256(_mm512_shuffle_i64x2(v, v, 0xEE)));
}

constexpr size_t kTqWBlock = sizeof(block_tq2_0);
constexpr size_t kXBlock = sizeof(block_q8_K);
constexpr size_t kXQs = offsetof(block_q8_K, qs);
constexpr size_t kXBsums = offsetof(block_q8_K, bsums);
constexpr size_t kTqWD = offsetof(block_tq2_0, d);

template <int R, int C>
struct Tq2VnniTile {
  static void run(const MatmulArgs& a, int64_t m0, int64_t n0) {
    const int64_t nb = a.K / kQK_K;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
    const uint8_t* x[C];
    for (int c = 0; c < C; ++c) x[c] = a.x.data + (n0 + c) * static_cast<int64_t>(a.x.col_bytes);
    const __m512i m3 = _mm512_set1_epi8(3);
    const __m256i zero = _mm256_setzero_si256();
    constexpr int kGroups = (R + 3) / 4;
    __m128 acc[kGroups][C];
    for (int g = 0; g < kGroups; ++g)
      for (int c = 0; c < C; ++c) acc[g][c] = _mm_setzero_ps();

    for (int64_t b = 0; b < nb; ++b) {
      const uint8_t* wb[R];
      for (int r = 0; r < R; ++r) wb[r] = w[r] + b * kTqWBlock;
      prefetch_span(w[R - 1], a.w_row_bytes + b * (R * kTqWBlock), R * kTqWBlock);
      const uint8_t* xb[C];
      for (int c = 0; c < C; ++c) xb[c] = x[c] + b * kXBlock;

      __m512i s[R][C];
      for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) s[r][c] = _mm512_setzero_si512();
      // Field k of qs[32h + m] is element 128h + 32k + m: bytes 0..31 (h = 0) pair with
      // y[32k ..], bytes 32..63 (h = 1) with y[128 + 32k ..].
      __m512i q[R];
      for (int r = 0; r < R; ++r) q[r] = _mm512_loadu_si512(wb[r]);
      for (int k = 0; k < 4; ++k) {
        for (int c = 0; c < C; ++c) {
          const __m512i y = load_2x32(xb[c] + kXQs + 32 * k, xb[c] + kXQs + 128 + 32 * k);
          for (int r = 0; r < R; ++r) {
            const __m512i code = _mm512_and_si512(_mm512_srli_epi16(q[r], 2 * k), m3);
            s[r][c] = _mm512_dpbusd_epi32(s[r][c], code, y);
          }
        }
      }
      for (int g = 0; g < kGroups; ++g) {
        uint64_t dbits = 0;
        for (int r = 4 * g; r < R && r < 4 * g + 4; ++r)
          dbits |= static_cast<uint64_t>(load_u16_at(wb[r] + kTqWD)) << (16 * (r - 4 * g));
        const __m128 dw = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<int64_t>(dbits)));
        for (int c = 0; c < C; ++c) {
          // Σ q of the block (the +1 code offset) from the 16 bsums.
          const __m256i bs = _mm256_madd_epi16(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[c] + kXBsums)),
              _mm256_set1_epi16(1));
          const int32_t qsum = _mm_cvtsi128_si32(hsum4_i32(bs, zero, zero, zero));
          __m256i t[4] = {zero, zero, zero, zero};
          for (int r = 4 * g; r < R && r < 4 * g + 4; ++r) t[r - 4 * g] = fold512(s[r][c]);
          const __m128i isum =
              _mm_sub_epi32(hsum4_i32(t[0], t[1], t[2], t[3]), _mm_set1_epi32(qsum));
          const __m128 d = _mm_mul_ps(dw, _mm_set1_ps(load_f32_at(xb[c])));
          acc[g][c] = _mm_add_ps(acc[g][c], _mm_mul_ps(_mm_cvtepi32_ps(isum), d));
        }
      }
    }
    for (int g = 0; g < kGroups; ++g)
      for (int c = 0; c < C; ++c)
        store_lanes(a.y + (n0 + c) * a.y_col_stride + m0 + 4 * g, acc[g][c],
                    R - 4 * g < 4 ? R - 4 * g : 4);
  }
};

template <int R, int C>
struct I2sVnniTile {
  static void run(const MatmulArgs& a, int64_t m0, int64_t n0) {
    const int64_t nblk = a.K / kI2sBlock;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
    const uint8_t* x[C];
    for (int c = 0; c < C; ++c) x[c] = a.x.data + (n0 + c) * static_cast<int64_t>(a.x.col_bytes);
    const __m512i m3 = _mm512_set1_epi8(3);
    __m512i s[R][C];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) s[r][c] = _mm512_setzero_si512();

    // Two blocks per step: bytes 0..31 are block b, 32..63 block b+1; field k (bits 6-2k) of
    // byte j is element 128*blk + 32k + j.
    int64_t b = 0;
    for (; b + 2 <= nblk; b += 2) {
      prefetch_span(w[R - 1], a.w_row_bytes + b * (R * 32), 2 * R * 32);
      __m512i q[R];
      for (int r = 0; r < R; ++r) q[r] = _mm512_loadu_si512(w[r] + 32 * b);
      for (int k = 0; k < 4; ++k) {
        for (int c = 0; c < C; ++c) {
          const __m512i y = load_2x32(x[c] + 128 * b + 32 * k, x[c] + 128 * (b + 1) + 32 * k);
          for (int r = 0; r < R; ++r) {
            const __m512i code = _mm512_and_si512(_mm512_srli_epi16(q[r], 6 - 2 * k), m3);
            s[r][c] = _mm512_dpbusd_epi32(s[r][c], code, y);
          }
        }
      }
    }
    __m256i tail[R][C];  // an odd last block, with 256-bit VNNI (AVX512VL)
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) tail[r][c] = fold512(s[r][c]);
    if (b < nblk) {
      const __m256i m3y = _mm256_set1_epi8(3);
      for (int k = 0; k < 4; ++k)
        for (int c = 0; c < C; ++c) {
          const __m256i y =
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[c] + 128 * b + 32 * k));
          for (int r = 0; r < R; ++r) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + 32 * b));
            const __m256i code = _mm256_and_si256(_mm256_srli_epi16(q, 6 - 2 * k), m3y);
            tail[r][c] = _mm256_dpbusd_epi32(tail[r][c], code, y);
          }
        }
    }
    const __m128 ws = _mm_set1_ps(a.w_scale);
    const __m256i zero = _mm256_setzero_si256();
    for (int c = 0; c < C; ++c) {
      const __m128 asum = _mm_set1_ps(static_cast<float>(a.x.sum[n0 + c]));
      const __m128 ascale = _mm_set1_ps(a.x.scale[n0 + c]);
      for (int g = 0; 4 * g < R; ++g) {
        __m256i t[4] = {zero, zero, zero, zero};
        for (int r = 4 * g; r < R && r < 4 * g + 4; ++r) t[r - 4 * g] = tail[r][c];
        const __m128i isum = hsum4_i32(t[0], t[1], t[2], t[3]);
        const __m128 out =
            _mm_mul_ps(_mm_div_ps(_mm_sub_ps(_mm_cvtepi32_ps(isum), asum), ascale), ws);
        store_lanes(a.y + (n0 + c) * a.y_col_stride + m0 + 4 * g, out,
                    R - 4 * g < 4 ? R - 4 * g : 4);
      }
    }
  }
};

}  // namespace

void matmul_tq2_0_q8k_4x1__avx512vnni(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<Tq2VnniTile, 4, 1>(a, m_begin, m_end);
}

void matmul_i2s_i8s_4x1__avx512vnni(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<I2sVnniTile, 4, 1>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
