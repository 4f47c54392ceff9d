// TQ1_0 weights x Q8_K activations, AVX2 vpmaddubsw. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_tq1_0.cc).
//
// The base-3 digits are decoded to 2-bit codes with byte adds and saturating subtracts
// (tq1_decode_avx2.h), then the TQ2_0 scheme (maddubs_avx2.h's TqMaddubs): codes 0..2 as the
// unsigned vpmaddubsw operand, sums start at -bsums, per-block epilogue for 4 rows in SSE lanes.
// int16 bound per lane and block: 8 x [-512, 508] minus a bsums lane stays within ±8191.
#include <immintrin.h>

#include "kernels_decl.h"
#include "maddubs_avx2.h"
#include "tq1_decode_avx2.h"

namespace bitnet::kernels {
namespace {

struct Tq1Maddubs : TqMaddubs<block_tq1_0> {
  // decode_block's code vector i pairs with activations 32i .. 32i+31.
  template <int R, int C>
  static void step(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    for (int r = 0; r < R; ++r) {
      __m256i code[8];
      decode_block(wb[r], code);
      for (int c = 0; c < C; ++c)
        for (int i = 0; i < 8; ++i)
          MaddubsOps<true>::mac(s[r][c], code[i], _mm256_loadu_si256(x_qs(xb[c], i)));
    }
  }
};

}  // namespace

BITNET_POLICY_TILE_KERNEL(matmul_tq1_0_q8k_4x1__avx2, Tq1Maddubs, 4, 1)
BITNET_POLICY_TILE_KERNEL(matmul_tq1_0_q8k_2x4__avx2, Tq1Maddubs, 2, 4)

}  // namespace bitnet::kernels
