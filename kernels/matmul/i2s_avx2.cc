// I2_S weights x I8_S activations, AVX2 vpmaddubsw. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_i2s.cc).
//
// How: x86 I2_S packs 128 weights in 32 bytes, byte j holding elements j, 32+j, 64+j, 96+j in
// bits 7:6, 5:4, 3:2, 1:0, so one shift + mask per 32 bytes yields the codes (0..2) of 32
// consecutive elements, the unsigned operand of vpmaddubsw against the int8 activations.
// Codes are not shifted to -1..1: Σ c·q is computed and the activation sum is subtracted in
// the float epilogue (epilogue_avx2.h), exactly like the reference. There is one scale per
// tensor, so int16 partial sums run over a group of blocks before widening (vpmaddwd).
#include <immintrin.h>

#include "kernels_decl.h"
#include "maddubs_avx2.h"

namespace bitnet::kernels {
namespace {

struct I2sMaddubs : I2sFormat {
  static constexpr int64_t kStepBlocks = 1;
  // Per lane and block, 4 vpmaddubsw of codes 0..3 against int8 give [-3072, 3048], so 8 blocks
  // stay within int16.
  static constexpr int64_t kGroupBlocks = 8;
  using Sum = __m256i;

  template <int R, int C>
  static void group_begin(const uint8_t* const (&)[C], Sum (&s)[R][C]) {
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) s[r][c] = _mm256_setzero_si256();
  }
  template <int R, int C>
  static void step(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    __m256i q[R];
    for (int r = 0; r < R; ++r) q[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[r]));
    field_products<MaddubsOps<false>>(
        q, 6, -2, [&](int c, int k) { return _mm256_loadu_si256(x_at(xb[c], k)); }, s);
  }
  template <int R, int C>
  static void group_end(const uint8_t* const (&)[R], const uint8_t* const (&)[C],
                        const Sum (&s)[R][C], Acc<R, C>& acc) {
    const __m256i ones = _mm256_set1_epi16(1);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        acc.v[r][c] = _mm256_add_epi32(acc.v[r][c], _mm256_madd_epi16(s[r][c], ones));
  }
};

}  // namespace

BITNET_POLICY_TILE_KERNEL(matmul_i2s_i8s_2x4__avx2, I2sMaddubs, 2, 4)
BITNET_POLICY_TILE_KERNEL(matmul_i2s_i8s_3x1__avx2, I2sMaddubs, 3, 1)

}  // namespace bitnet::kernels
