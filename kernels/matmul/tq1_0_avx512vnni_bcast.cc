// TQ1_0 weights x Q8_K activations, row-interleaved vpdpbusd GEMM (tq_bcast_avx512vnni.h).
#include "kernels_decl.h"
#include "tq_bcast_avx512vnni.h"

namespace bitnet::kernels {

void matmul_tq1_0_q8k_16x16__avx512vnni_bcast(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  bcast_matmul<TqBcast<block_tq1_0>, 16>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
