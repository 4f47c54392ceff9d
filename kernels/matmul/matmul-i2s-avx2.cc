// I2_S weights x I8_S activations, AVX2. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_i2s.cc).
//
// How: x86 I2_S packs 128 weights in 32 bytes, byte j holding elements j, 32+j, 64+j, 96+j in
// bits 7:6, 5:4, 3:2, 1:0, so one shift + mask per 32 bytes yields the codes (0..2) of 32
// consecutive elements, the unsigned operand of vpmaddubsw against the int8 activations.
// Codes are not shifted to -1..1: Σ c·q is computed and the activation sum is subtracted in
// the float epilogue, exactly like the reference. There is one scale per tensor, so int16
// partial sums run over kChunk blocks before widening (vpmaddwd): per lane and block, 4
// vpmaddubsw of codes 0..3 against int8 give [-3072, 3048], so 8 blocks stay within int16.
// A tile of R rows x C columns unpacks each weight byte once and loads each activation vector
// once per tile.
#include <immintrin.h>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

constexpr int64_t kChunk = 8;  // I2_S blocks (128 weights) summed in int16 before widening

template <int R, int C>
struct I2sAvx2Tile {
  static void run(const MatmulArgs& a, int64_t m0, int64_t n0) {
    const int64_t nblk = a.K / kI2sBlock;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
    const uint8_t* x[C];
    for (int c = 0; c < C; ++c) x[c] = a.x.data + (n0 + c) * static_cast<int64_t>(a.x.col_bytes);

    const __m256i m3 = _mm256_set1_epi8(3);
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc[R][C];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) acc[r][c] = zero;

    for (int64_t b0 = 0; b0 < nblk; b0 += kChunk) {
      const int64_t b1 = nblk < b0 + kChunk ? nblk : b0 + kChunk;
      __m256i s[R][C];
      for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) s[r][c] = zero;
      for (int64_t b = b0; b < b1; ++b) {
        prefetch_span(w[R - 1], a.w_row_bytes + b * (R * 32), R * 32);
        for (int k = 0; k < 4; ++k) {
          __m256i code[R];
          for (int r = 0; r < R; ++r) {
            __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + 32 * b));
            if (k < 3) q = _mm256_srli_epi16(q, 6 - 2 * k);
            code[r] = _mm256_and_si256(q, m3);
          }
          for (int c = 0; c < C; ++c) {
            const __m256i y =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[c] + 128 * b + 32 * k));
            for (int r = 0; r < R; ++r)
              s[r][c] = _mm256_add_epi16(s[r][c], _mm256_maddubs_epi16(code[r], y));
          }
        }
      }
      for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c)
          acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(s[r][c], ones));
    }

    const __m128 ws = _mm_set1_ps(a.w_scale);
    for (int c = 0; c < C; ++c) {
      const __m128 asum = _mm_set1_ps(static_cast<float>(a.x.sum[n0 + c]));
      const __m128 ascale = _mm_set1_ps(a.x.scale[n0 + c]);
      for (int g = 0; 4 * g < R; ++g) {
        __m256i t[4] = {zero, zero, zero, zero};
        for (int r = 4 * g; r < R && r < 4 * g + 4; ++r) t[r - 4 * g] = acc[r][c];
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

void matmul_i2s_i8s_2x4__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<I2sAvx2Tile, 2, 4>(a, m_begin, m_end);
}

void matmul_i2s_i8s_3x1__avx2(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run_tiles<I2sAvx2Tile, 3, 1>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
