// I2_S weights x I8_S activations on aarch64 with the dot product (SDOT, as bitnet.cpp's I2_S NEON
// path): ternary_neon.h's scheme, one row or four rows per step. Exact contract: kernel.h
// (bit-identical to kernels/ref/matmul_i2s.cc).
#include "kernels_decl.h"
#include "ternary_neon.h"

namespace bitnet::kernels {

void matmul_i2s_i8s_1x1__dotprod(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  neon::matmul_i2s<neon::DotSdot, 1>(a, m_begin, m_end);
}

void matmul_i2s_i8s_4x1__dotprod(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  neon::matmul_i2s<neon::DotSdot, 4>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
