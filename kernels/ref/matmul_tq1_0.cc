// TQ1_0 x Q8_K matmul reference: llama.cpp's ggml_vec_dot_tq1_0_q8_K_generic per (row, column).
// The exact contract (integer block sums, f32 epilogue order) is documented in kernel.h.
#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void matmul_tq1_0_q8k_1x1__scalar(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  ref::matmul_tq_q8k<block_tq1_0, ref::decode_tq1_0_codes>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
