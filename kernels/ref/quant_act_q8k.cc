// Q8_K activation quantization, exactly llama.cpp's quantize_row_q8_K_ref:
// per 256 values, v = the value of largest magnitude (first one on ties), iscale = -127/v,
// q = min(127, nearest_int(iscale*x)), d = 1/iscale, bsums[j] = Σ of q over 16 values.
// An all-zero block gets d = 0, q = 0 and (unlike ggml, which leaves them stale) bsums = 0.
#include <cmath>
#include <cstring>

#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void quant_act_q8k_f32_1x1__scalar(const float* x, int64_t K, uint8_t* dst, float* /*scale*/,
                                   int32_t* /*sum*/) {
  for (int64_t b = 0; b < K / kQK_K; ++b, x += kQK_K, dst += sizeof(block_q8_K)) {
    block_q8_K out{};
    float max = 0, amax = 0;
    for (int j = 0; j < kQK_K; ++j) {
      const float ax = std::fabs(x[j]);
      if (ax > amax) {
        amax = ax;
        max = x[j];
      }
    }
    if (amax != 0) {
      const float iscale = -127.f / max;
      for (int j = 0; j < kQK_K; ++j) {
        const int v = ref::nearest_int(iscale * x[j]);
        out.qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
      }
      for (int j = 0; j < kQK_K / 16; ++j) {
        int s = 0;
        for (int i = 0; i < 16; ++i) s += out.qs[16 * j + i];
        out.bsums[j] = static_cast<int16_t>(s);
      }
      out.d = 1 / iscale;
    }
    std::memcpy(dst, &out, sizeof out);
  }
}

}  // namespace bitnet::kernels
