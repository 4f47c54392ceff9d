// TQ2_0 weights x Q8_K activations, AVX-512 VNNI vpdpbusd (dpbusd_avx512vnni.h). Exact contract:
// kernel.h (bit-identical to kernels/ref/matmul_tq2_0.cc; tests/test_kernels_matmul.cc runs it on
// CPUs with AVX512_VNNI and skips it elsewhere).
//
// A block's 64 code bytes fill one register; field k of qs[32h + m] is element 128h + 32k + m, so
// bytes 0..31 (h = 0) pair with y[32k ..] and bytes 32..63 (h = 1) with y[128 + 32k ..]. The
// block's int32 sums of c·q lose the +1 code offset in the epilogue (Σ q from the 16 bsums), and
// then follow the AVX2 kernel's per-block epilogue (4 rows together, f32 in SSE lanes).
#include <immintrin.h>

#include <cstddef>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "dpbusd_avx512vnni.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

struct Tq2Dpbusd : DpbusdPolicy<TqFormat<block_tq2_0>> {
  static constexpr int64_t kStepBlocks = 1;
  static constexpr int64_t kGroupBlocks = 1;

  template <int R, int C>
  static void step(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    __m512i q[R];
    for (int r = 0; r < R; ++r) q[r] = _mm512_loadu_si512(wb[r]);
    field_products<DpbusdOps>(
        q, 0, 2,
        [&](int c, int k) {
          return load_2x32(reinterpret_cast<const uint8_t*>(x_qs(xb[c], k)),
                           reinterpret_cast<const uint8_t*>(x_qs(xb[c], 4 + k)));
        },
        s);
  }
  // Σ q of the block (the +1 code offset) from its 16 bsums.
  static int32_t qsum(const uint8_t* xb) {
    const __m256i bs = _mm256_madd_epi16(_mm256_loadu_si256(x_bsums(xb)), _mm256_set1_epi16(1));
    const __m256i zero = _mm256_setzero_si256();
    return _mm_cvtsi128_si32(hsum4_i32(bs, zero, zero, zero));
  }
  template <int R, int C>
  static void group_end(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C],
                        const Sum (&s)[R][C], Acc<R, C>& acc) {
    tq_block_epilogue<R, C>(
        wb, kWD, xb,
        [&](int g, int c) {
          return _mm_sub_epi32(hsum_rows<R, false>(g, [&](int r) { return fold512(s[r][c]); }),
                               _mm_set1_epi32(qsum(xb[c])));
        },
        acc);
  }
};

}  // namespace

BITNET_POLICY_TILE_KERNEL(matmul_tq2_0_q8k_4x1__avx512vnni, Tq2Dpbusd, 4, 1)

}  // namespace bitnet::kernels
