// TQ2_0 dequantization to f32, NEON. Bit-identical to kernels/ref/dequant_tq2_0.cc: the codes of
// 16 consecutive elements come from one shift + mask of a 16-byte vector (element 128j + 32k + m
// is bits 2k of qs[32j + m]), then u8 -> i16 -> -1 -> i32 -> f32 -> * d.
#include <cstring>

#include "bitnet/formats/blocks.h"
#include "codes_neon.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dequant_tq2_0_f32_1x1__neon(const uint8_t* src, float* dst, int64_t n, float) {
  const uint8x16_t m3 = vdupq_n_u8(3);
  for (int64_t b = 0; b < n / kQK_K; ++b, src += sizeof(block_tq2_0), dst += kQK_K) {
    fp16_t h;
    std::memcpy(&h, src + offsetof(block_tq2_0, d), sizeof h);
    const float32x4_t d = vdupq_n_f32(fp16_to_fp32(h));
    for (int j = 0; j < 2; ++j)
      for (int half = 0; half < 2; ++half) {
        const uint8x16_t q = vld1q_u8(src + 32 * j + 16 * half);
        for (int k = 0; k < 4; ++k)
          neon::store_codes(vandq_u8(vshlq_u8(q, vdupq_n_s8(static_cast<int8_t>(-2 * k))), m3), d,
                            dst + 128 * j + 32 * k + 16 * half);
      }
  }
}

}  // namespace bitnet::kernels
