// TQ1_0 weights x Q8_K activations on aarch64 with the dot product (SDOT): ternary_neon.h's scheme,
// one row or four rows per step. Exact contract: kernel.h (bit-identical to
// kernels/ref/matmul_tq1_0.cc).
#include "kernels_decl.h"
#include "ternary_neon.h"

namespace bitnet::kernels {

void matmul_tq1_0_q8k_1x1__dotprod(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  neon::matmul_tq<neon::Tq1, neon::DotSdot, 1>(a, m_begin, m_end);
}

void matmul_tq1_0_q8k_4x1__dotprod(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  neon::matmul_tq<neon::Tq1, neon::DotSdot, 4>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
