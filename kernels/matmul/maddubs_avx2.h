// The vpmaddubsw scheme (AVX2): unsigned 2-bit codes (0..3) times signed int8 activations, pairs
// summed into int16 lanes: the pieces the format policies (tiles.h's PolicyTile) share (include
// only from files built with the avx2 flags; anonymous namespace: see tiles.h). The TQ policy base
// below leaves step() to its format file (tq2_0_avx2.cc, tq1_0_avx2.cc); i2s_avx2.cc has its own.
//  - TqMaddubs (TQ1_0, TQ2_0 x Q8_K): one block per group; each block's int16 sums start at
//    -bsums (Σ q per 16 elements, part of Q8_K), which removes the +1 code offset, and the
//    block's epilogue reduces R rows together (hsum4_i16). The step must keep every lane within
//    ±8191 including the -bsums start ([-2048, 2032]).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "epilogue_avx2.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

// One 2-bit field of 32 code bytes, (q >> shift) & 3, times 32 int8 activations: vpmaddubsw,
// products summed pairwise into int16 lanes. kPin keeps GCC from reassociating an accumulation
// chain (pin(): without it GCC spilled the products of the 4x1 TQ2_0 tile).
template <bool kPin>
struct MaddubsOps {
  using V = __m256i;
  static V field(V q, int shift) {
    return _mm256_and_si256(shift > 0 ? _mm256_srli_epi16(q, shift) : q, _mm256_set1_epi8(3));
  }
  static void mac(V& s, V code, V y) {
    s = _mm256_add_epi16(s, _mm256_maddubs_epi16(code, y));
    if constexpr (kPin) pin(s);
  }
};

// The TQ1_0 / TQ2_0 x Q8_K policy of this scheme but for step(); Block is the weight block.
template <class Block>
struct TqMaddubs : TqFormat<Block> {
  using F = TqFormat<Block>;
  static constexpr int64_t kStepBlocks = 1;
  static constexpr int64_t kGroupBlocks = 1;
  using Sum = __m256i;

  template <int R, int C>
  static void group_begin(const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    for (int c = 0; c < C; ++c) {
      const __m256i nbs =
          _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_loadu_si256(F::x_bsums(xb[c])));
      for (int r = 0; r < R; ++r) s[r][c] = nbs;
    }
  }
  template <int R, int C>
  static void group_end(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C],
                        const Sum (&s)[R][C], typename F::template Acc<R, C>& acc) {
    tq_block_epilogue<R, C>(
        wb, F::kWD, xb,
        [&](int g, int c) { return hsum_rows<R, true>(g, [&](int r) { return s[r][c]; }); }, acc);
  }
};

}  // namespace
}  // namespace bitnet::kernels
