// I2_S weights x I8_S activations by table lookup (lut_avx2.h), AVX2: the GEMM (prefill) path.
// Exact contract: kernel.h (bit-identical to kernels/ref/matmul_i2s.cc).
//
// x86 I2_S: byte j of a 32-byte block holds elements j, 32+j, 64+j, 96+j in bits 7:6, 5:4, 3:2,
// 1:0. The tables give Σ (c-1)*q; adding the columns' own Σq (computed here from the actual
// activations, so any input matches) gives the reference's isum = Σ c*q, and then its epilogue
// y = (((float)isum - (float)sum) / scale) * w_scale.
#include <immintrin.h>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "lut_avx2.h"

namespace bitnet::kernels {
namespace {

struct I2sLut {
  static constexpr int kBlockElems = kI2sBlock;
  static constexpr int kCodeBytes = kI2sBlock / 4;
  static constexpr bool kDecodes = false;
  struct Tile {
    alignas(32) int32_t qsum[kLutCols];  // Σq of each column over K
  };

  static const uint8_t* code_bytes(const uint8_t* row, int64_t b) { return row + b * kCodeBytes; }
  static void pair(int byte, int nib, int& e0, int& e1) {
    e0 = byte + (nib ? 32 : 96);  // bits 1:0 of the nibble: element 96+j (low), 32+j (high)
    e1 = byte + (nib ? 0 : 64);   // bits 3:2: element 64+j (low), j (high)
  }
  static const int8_t* column(const MatmulArgs& a, int64_t n, int64_t b) {
    return reinterpret_cast<const int8_t*>(a.x.data + n * static_cast<int64_t>(a.x.col_bytes)) +
           b * kI2sBlock;
  }
  static void tile_begin(const MatmulArgs& a, int64_t n0, int nc, Tile& t) {
    for (int n = 0; n < kLutCols; ++n) {
      int32_t s = 0;
      if (n < nc)
        for (int64_t k = 0; k < a.K; ++k) s += column(a, n0 + n, 0)[k];
      t.qsum[n] = s;
    }
  }
  static void block_begin(const MatmulArgs&, int64_t, int, int64_t, Tile&) {}
  static void block_end(const uint8_t*, int64_t, const Tile&, LutRowSums&) {}
  static void row_end(const MatmulArgs& a, const uint8_t*, int64_t n0, int nc, const Tile& t,
                      const LutRowSums& rs, float* out) {
    alignas(32) int32_t isum[kLutCols];
    for (int i = 0; i < 2; ++i)
      _mm256_store_si256(
          reinterpret_cast<__m256i*>(isum + 8 * i),
          _mm256_add_epi32(rs.isum[i],
                           _mm256_load_si256(reinterpret_cast<const __m256i*>(t.qsum + 8 * i))));
    for (int n = 0; n < nc; ++n)
      out[n] = ((static_cast<float>(isum[n]) - static_cast<float>(a.x.sum[n0 + n])) /
                a.x.scale[n0 + n]) *
               a.w_scale;
  }
};

}  // namespace

void matmul_i2s_i8s_16x16__avx2_lut(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  lut_matmul<I2sLut>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
