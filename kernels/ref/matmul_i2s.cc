// I2_S x I8_S matmul reference: bitnet.cpp's ggml_vec_dot_i2_i8_s (Σ code·q over the row, codes
// 0/1/2 unshifted) followed by ggml_compute_forward_mul_mat's epilogue
// y = ((float)isum - (float)act_sum) / act_scale * w_scale (llama.cpp fork 406a503, ggml.c).
#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void matmul_i2s_i8s_1x1__scalar(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  for (int64_t m = m_begin; m < m_end; ++m) {
    const uint8_t* row = a.w + m * static_cast<int64_t>(a.w_row_bytes);
    for (int64_t n = 0; n < a.x.N; ++n) {
      const auto* q =
          reinterpret_cast<const int8_t*>(a.x.data + n * static_cast<int64_t>(a.x.col_bytes));
      int32_t isum = 0;
      for (int64_t b = 0; b < a.K / kI2sBlock; ++b) {  // one 32-byte block = 128 codes
        const uint8_t* blk = row + b * 32;
        const int8_t* qb = q + b * kI2sBlock;
        for (int j = 0; j < 32; ++j)
          for (int g = 0; g < 4; ++g) isum += ((blk[j] >> (6 - 2 * g)) & 3) * qb[32 * g + j];
      }
      const float t = static_cast<float>(isum) - static_cast<float>(a.x.sum[n]);
      a.y[n * a.y_col_stride + m] = t / a.x.scale[n] * a.w_scale;
    }
  }
}

}  // namespace bitnet::kernels
