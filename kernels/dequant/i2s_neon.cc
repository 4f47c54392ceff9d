// I2_S dequantization to f32, NEON. Bit-identical to kernels/ref/dequant_i2s.cc: the codes of 16
// consecutive elements come from one shift + mask of a 16-byte vector (element 128b + 32k + j is
// bits 6-2k of byte j of block b), then u8 -> i16 -> -1 -> i32 -> f32 -> * tensor scale.
#include "bitnet/formats/blocks.h"
#include "codes_neon.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dequant_i2s_f32_1x1__neon(const uint8_t* src, float* dst, int64_t n, float tensor_scale) {
  const uint8x16_t m3 = vdupq_n_u8(3);
  const float32x4_t s = vdupq_n_f32(tensor_scale);
  int64_t b = 0;
  for (; (b + 1) * kI2sBlock <= n; ++b)
    for (int half = 0; half < 2; ++half) {
      const uint8x16_t q = vld1q_u8(src + 32 * b + 16 * half);
      for (int k = 0; k < 4; ++k)
        neon::store_codes(vandq_u8(vshlq_u8(q, vdupq_n_s8(static_cast<int8_t>(2 * k - 6))), m3), s,
                          dst + kI2sBlock * b + 32 * k + 16 * half);
    }
  for (int64_t e = b * kI2sBlock; e < n; ++e) {  // partial last block
    const int j = static_cast<int>(e % kI2sBlock);
    const int code = (src[32 * b + j % 32] >> (6 - 2 * (j / 32))) & 3;
    dst[e] = static_cast<float>(code - 1) * tensor_scale;
  }
}

}  // namespace bitnet::kernels
