// The portable xsimd matmul kernels (matmul-xsimd.h) for xsimd::sse4_1 (SSE4.1).
// Built with the sse41 flags of cmake/BitnetIsa.cmake; selected only on CPUs that run them.
#include "kernels_decl.h"
#include "matmul-xsimd.h"

namespace bitnet::kernels {

void matmul_tq2_0_q8k_1x1__sse41_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  matmul_tq2_0_xsimd<xsimd::sse4_1>(a, m_begin, m_end);
}

void matmul_i2s_i8s_1x1__sse41_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  matmul_i2s_xsimd<xsimd::sse4_1>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
