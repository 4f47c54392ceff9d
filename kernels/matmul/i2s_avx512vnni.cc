// I2_S weights x I8_S activations, AVX-512 VNNI vpdpbusd (dpbusd_avx512vnni.h). Exact contract:
// kernel.h (bit-identical to kernels/ref/matmul_i2s.cc; tests/test_kernels_matmul.cc runs it on
// CPUs with AVX512_VNNI and skips it elsewhere).
//
// Two blocks per step: bytes 0..31 of a register are block b, 32..63 block b+1; field k (bits
// 6-2k) of byte j is element 128*blk + 32k + j. An odd last block runs with zeros in the upper
// half. The whole row sums in int32 (one group) and meets the reference's epilogue once.
#include <immintrin.h>

#include <cstdint>
#include <limits>

#include "bitnet/formats/blocks.h"
#include "dpbusd_avx512vnni.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

struct I2sDpbusd : DpbusdPolicy<I2sFormat> {
  static constexpr int64_t kStepBlocks = 2;
  static constexpr int64_t kGroupBlocks = std::numeric_limits<int64_t>::max();

  template <int R, int C>
  static void step(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    __m512i q[R];
    for (int r = 0; r < R; ++r) q[r] = _mm512_loadu_si512(wb[r]);
    field_products<DpbusdOps>(
        q, 6, -2, [&](int c, int k) { return load_2x32(xb[c] + 32 * k, xb[c] + 128 + 32 * k); }, s);
  }
  template <int R, int C>
  static void step_tail(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C],
                        Sum (&s)[R][C], int64_t /*blocks: always 1*/) {
    __m512i q[R];
    for (int r = 0; r < R; ++r) q[r] = load_32_zext(wb[r]);
    field_products<DpbusdOps>(
        q, 6, -2, [&](int c, int k) { return load_32_zext(xb[c] + 32 * k); }, s);
  }
  template <int R, int C>
  static void group_end(const uint8_t* const (&)[R], const uint8_t* const (&)[C],
                        const Sum (&s)[R][C], Acc<R, C>& acc) {
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) acc.v[r][c] = _mm256_add_epi32(acc.v[r][c], fold512(s[r][c]));
  }
};

}  // namespace

BITNET_POLICY_TILE_KERNEL(matmul_i2s_i8s_4x1__avx512vnni, I2sDpbusd, 4, 1)

}  // namespace bitnet::kernels
