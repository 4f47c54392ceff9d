// The portable xsimd I2_S matmul (xsimd_matmul.h) for xsimd::sse4_1; built with the sse41 flags
// of cmake/BitnetIsa.cmake, selected only on CPUs that run them.
#include "kernels_decl.h"
#include "xsimd_matmul.h"

namespace bitnet::kernels {

void matmul_i2s_i8s_1x1__sse41_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  matmul_i2s_xsimd<xsimd::sse4_1>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
