// I2_S -> f32: y = (float)(c - 1) * tensor_scale (code 0 -> -s, 1 -> 0, 2 -> +s). n is counted
// from the start of src, which must be a 128-element block boundary (a row start).
// Code 3 never occurs in valid data; like the matmul kernels, it is taken as +2.
#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void dequant_i2s_f32_1x1__scalar(const uint8_t* src, float* dst, int64_t n, float tensor_scale) {
  for (int64_t k = 0; k < n; ++k)
    dst[k] = static_cast<float>(ref::i2s_code(src, k) - 1) * tensor_scale;
}

}  // namespace bitnet::kernels
