// TQ2_0 weights x Q8_K activations, AVX2 vpmaddubsw. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_tq2_0.cc).
//
// How: the 2-bit codes c (0..2) are the unsigned operand of vpmaddubsw against the signed int8
// activations, so no sign trick is needed; the +1 code offset is removed by the -bsums start of
// maddubs_avx2.h's TqMaddubs. A tile of R rows x C columns (tiles.h) unpacks each weight byte once
// per tile and loads each activation vector once per tile. int16 bounds per lane and block, for
// any bytes: 8 vpmaddubsw of codes 0..3 against int8 give [-6144, 6096]; minus a bsums lane
// [-2048, 2032] stays within ±8191 (hsum4_i16's precondition).
#include <immintrin.h>

#include "kernels_decl.h"
#include "maddubs_avx2.h"

namespace bitnet::kernels {
namespace {

struct Tq2Maddubs : TqMaddubs<block_tq2_0> {
  // Field k of qs[32h + m] is element 128h + 32k + m.
  template <int R, int C>
  static void step(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    for (int h = 0; h < 2; ++h) {
      __m256i q[R];
      for (int r = 0; r < R; ++r)
        q[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[r] + 32 * h));
      field_products<MaddubsOps<true>>(
          q, 0, 2, [&](int c, int k) { return _mm256_loadu_si256(x_qs(xb[c], 4 * h + k)); }, s);
    }
  }
};

}  // namespace

BITNET_POLICY_TILE_KERNEL(matmul_tq2_0_q8k_1x1__avx2, Tq2Maddubs, 1, 1)
BITNET_POLICY_TILE_KERNEL(matmul_tq2_0_q8k_4x1__avx2, Tq2Maddubs, 4, 1)
BITNET_POLICY_TILE_KERNEL(matmul_tq2_0_q8k_2x4__avx2, Tq2Maddubs, 2, 4)

}  // namespace bitnet::kernels
