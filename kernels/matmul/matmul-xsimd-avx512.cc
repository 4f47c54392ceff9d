// The portable xsimd matmul kernels (matmul-xsimd.h) for xsimd::avx512bw (AVX-512BW).
// Built with the avx512 flags of cmake/BitnetIsa.cmake; selected only on CPUs that run them.
#include "kernels_decl.h"
#include "matmul-xsimd.h"

namespace bitnet::kernels {

void matmul_tq2_0_q8k_1x1__avx512_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  matmul_tq2_0_xsimd<xsimd::avx512bw>(a, m_begin, m_end);
}

void matmul_i2s_i8s_1x1__avx512_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  matmul_i2s_xsimd<xsimd::avx512bw>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
