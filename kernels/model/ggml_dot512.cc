#include "ggml_dot512.h"

#include <cmath>

namespace bitnet::model::detail {

// _mm512_reduce_add_ps (GCC and clang expand it alike): halves, quarters, then (0+2)+(1+3).
float ggml_reduce16(const float* v) {
  float h[8], q[4];
  for (int i = 0; i < 8; ++i) h[i] = v[i + 8] + v[i];
  for (int i = 0; i < 4; ++i) q[i] = h[i + 4] + h[i];
  return (q[0] + q[2]) + (q[1] + q[3]);
}

// ggml_vec_dot_f16, AVX-512 branch (GGML_F16_STEP 64, GGML_F16_EPR 16), on widened f16 values.
float ggml_vec_dot_f16(const float* x, int64_t x_stride, const float* y, int64_t n) {
  const int64_t np = n & ~int64_t{63};
  float sum[4][16] = {};
  for (int64_t i = 0; i < np; i += 64)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 16; ++l) {
        const int64_t k = i + j * 16 + l;
        sum[j][l] = std::fma(x[k * x_stride], y[k], sum[j][l]);
      }
  for (int l = 0; l < 16; ++l) {  // GGML_F32x16_REDUCE: x0 += x2, x1 += x3, x0 += x1
    sum[0][l] += sum[2][l];
    sum[1][l] += sum[3][l];
    sum[0][l] += sum[1][l];
  }
  double s = ggml_reduce16(sum[0]);
  for (int64_t k = np; k < n; ++k) s += static_cast<double>(x[k * x_stride] * y[k]);
  return static_cast<float>(s);
}

// tinyBLAS<16, __m512, ...>: one 16-lane FMA accumulator over k (a multiple of 16), then hsum.
float tinyblas_dot(const float* x, int64_t x_stride, const float* y, int64_t n) {
  float lanes[16] = {};
  for (int64_t k = 0; k < n; ++k) lanes[k % 16] = std::fma(x[k * x_stride], y[k], lanes[k % 16]);
  return ggml_reduce16(lanes);
}

}  // namespace bitnet::model::detail
