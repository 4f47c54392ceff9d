// I2_S weights x I8_S activations, row-interleaved vpdpbusd GEMM (bcast_avx512vnni.h): the
// prefill path. Exact contract: kernel.h (bit-identical to kernels/ref/matmul_i2s.cc).
//
// x86 I2_S byte j of a 32-byte block holds elements j, 32+j, 64+j, 96+j in bits 7:6, 5:4, 3:2,
// 1:0, so dword p pairs field k (shift 6 - 2k) with activations 32k + 4p .. +3. One scale per
// tensor: the int32 lanes sum the whole row, then the reference's epilogue once,
// y = (((float)isum - (float)sum) / scale) * w_scale.
#include <immintrin.h>

#include <cstdint>

#include "bcast_avx512vnni.h"
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

struct I2sBcast {
  static constexpr int kBlockElems = kI2sBlock;
  static constexpr int kDwords = kI2sBlock / 16;
  static constexpr bool kPerBlock = false;
  struct ColumnBlock {};

  static constexpr int elem(int p, int k) { return 32 * k + 4 * p; }
  static constexpr int shift(int k) { return 6 - 2 * k; }
  static const uint8_t* codes(const uint8_t* row, int64_t b, uint8_t*) {
    return row + b * (kI2sBlock / 4);
  }
  static float row_scale(const uint8_t*, int64_t) { return 0.0f; }
  static const int8_t* column_block(const MatmulArgs& a, int64_t n, int64_t b, ColumnBlock&) {
    return reinterpret_cast<const int8_t*>(a.x.data + n * static_cast<int64_t>(a.x.col_bytes)) +
           b * kI2sBlock;
  }
  static __m512 block_end(__m512i, __m512, const ColumnBlock&, __m512 facc) { return facc; }
  static __m512 finish(const MatmulArgs& a, int64_t n, __m512i isum, __m512) {
    const __m512 asum = _mm512_set1_ps(static_cast<float>(a.x.sum[n]));
    return _mm512_mul_ps(
        _mm512_div_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(isum), asum), _mm512_set1_ps(a.x.scale[n])),
        _mm512_set1_ps(a.w_scale));
  }
};

}  // namespace

void matmul_i2s_i8s_16x16__avx512vnni_bcast(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  bcast_matmul<I2sBcast, 16>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
