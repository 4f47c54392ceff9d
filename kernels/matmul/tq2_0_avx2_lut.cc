// TQ2_0 weights x Q8_K activations by table lookup, AVX2 (tq_lut_avx2.h).
#include "kernels_decl.h"
#include "tq_lut_avx2.h"

namespace bitnet::kernels {

void matmul_tq2_0_q8k_16x16__avx2_lut(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  lut_matmul<TqLut<block_tq2_0>>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
