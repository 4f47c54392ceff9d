// Attention's weighted sum over f16 V rows for a group of query heads (kernels.inc, "attn_pv"):
// per output element a fused multiply-add per row, rows in order (the AVX2 axpy of each row), in
// scalar code: what every ISA's kernel reproduces.
#include <cmath>
#include <cstdint>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void attn_pv_f16_f32_1x1__scalar(const float* p, int64_t p_stride, int64_t heads, const void* v,
                                 size_t row_bytes, int64_t rows, int64_t n, float* out,
                                 int64_t out_stride) {
  static thread_local float vr[kAttnMaxDim];
  for (int64_t t = 0; t < rows; ++t) {
    const auto* vt =
        reinterpret_cast<const fp16_t*>(static_cast<const uint8_t*>(v) + t * row_bytes);
    for (int64_t d = 0; d < n; ++d) vr[d] = fp16_to_fp32(vt[d]);
    for (int64_t j = 0; j < heads; ++j) {
      const float w = p[j * p_stride + t];
      float* o = out + j * out_stride;
      for (int64_t d = 0; d < n; ++d) o[d] = std::fma(w, vr[d], o[d]);
    }
  }
}

}  // namespace bitnet::kernels
