// s[t] = exp(s[t] - max) for t < n, returning Σ s[t] summed in double in order (the softmax of
// ggml_vec_soft_max_f32), with libm's expf.
#include <cmath>

#include "kernels_decl.h"

namespace bitnet::kernels {

double exp_sum_f32_f32_1x1__scalar(float* s, int64_t n, float max) {
  double sum = 0.0;
  for (int64_t t = 0; t < n; ++t) {
    s[t] = std::exp(s[t] - max);
    sum += s[t];
  }
  return sum;
}

}  // namespace bitnet::kernels
