// TQ1_0 x Q8_K matmul reference: llama.cpp's ggml_vec_dot_tq1_0_q8_K_generic per (row, column).
// The exact contract (integer block sums, f32 epilogue order) is documented in kernel.h.
#include <cstring>

#include "bitnet/kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void matmul_tq1_0_q8k_1x1__scalar(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  const int64_t nb = a.K / kQK_K;
  uint8_t codes[kQK_K];
  for (int64_t m = m_begin; m < m_end; ++m) {
    const uint8_t* row = a.w + m * static_cast<int64_t>(a.w_row_bytes);
    for (int64_t n = 0; n < a.x.N; ++n) {
      const uint8_t* col = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
      float acc = 0.0f;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* wb = row + b * sizeof(block_tq1_0);
        const uint8_t* xb = col + b * sizeof(block_q8_K);
        const auto* q = reinterpret_cast<const int8_t*>(xb + offsetof(block_q8_K, qs));
        ref::decode_tq1_0_codes(wb, codes);
        int32_t isum = 0;
        for (int i = 0; i < kQK_K; ++i) isum += q[i] * (codes[i] - 1);
        const float d =
            fp16_to_fp32(ref::load_fp16(wb + offsetof(block_tq1_0, d))) * ref::load_f32(xb);
        acc = acc + static_cast<float>(isum) * d;
      }
      a.y[n * a.y_col_stride + m] = acc;
    }
  }
}

}  // namespace bitnet::kernels
