// TQ2_0 -> f32, llama.cpp's dequantize_row_tq2_0: y = (float)(c - 1) * d.
#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet::kernels {

void dequant_tq2_0_f32_1x1__scalar(const uint8_t* src, float* dst, int64_t n, float) {
  uint8_t codes[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b, src += sizeof(block_tq2_0), dst += kQK_K) {
    const float d = fp16_to_fp32(ref::load_fp16(src + offsetof(block_tq2_0, d)));
    ref::decode_tq2_0_codes(src, codes);
    for (int i = 0; i < kQK_K; ++i) dst[i] = static_cast<float>(codes[i] - 1) * d;
  }
}

}  // namespace bitnet::kernels
