// I8_S activation quantization, exactly bitnet.cpp's quantize_row_i8_s (llama.cpp fork
// merge-dev 406a503, ggml-quants.c): max = max(1e-5, max|x|) in double, s = (float)(127/max),
// q = clamp(nearest_int(x*s), -128, 127) (f32 product, ties to even), sum = Σq.
#include <cmath>

#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void quant_act_i8s_f32_1x1__scalar(const float* x, int64_t K, uint8_t* dst, float* scale,
                                   int32_t* sum) {
  double max = 0.00001;
  for (int64_t i = 0; i < K; ++i) {
    const double a = std::fabs(static_cast<double>(x[i]));
    max = max > a ? max : a;  // the origin's MAX(a, b) macro, NaN behaviour included
  }
  const float s = static_cast<float>(127 / max);
  int32_t total = 0;
  for (int64_t i = 0; i < K; ++i) {
    int v = ref::nearest_int(x[i] * s);
    if (v > 127) v = 127;
    if (v < -128) v = -128;
    total += v;
    dst[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
  }
  *scale = s;
  *sum = total;
}

}  // namespace bitnet::kernels
