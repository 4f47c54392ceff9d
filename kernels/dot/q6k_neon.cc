// Q6_K . Q8_K dot, NEON (ggml_vec_dot_q6_K_q8_K's arithmetic): the six-bit values unpacked to
// int8 (u - 32) 16 at a time, each 16-group's exact sum by SMULL + SMLAL2 (|product| <= 4096, two
// per int16 lane) and a widening add, isum += scale * sum, then acc += (d_w * d_x) * isum in
// block order: the reference's bits.
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

#include <arm_neon.h>

namespace bitnet::kernels {
namespace {

int32_t group_sum(int8x16_t u, int8x16_t q) {
  int16x8_t p = vmull_s8(vget_low_s8(u), vget_low_s8(q));
  p = vmlal_high_s8(p, u, q);
  return vaddvq_s32(vpaddlq_s16(p));
}

int32_t block_isum(const block_q6_K& b, const int8_t* q) {
  const uint8x16_t m4 = vdupq_n_u8(0xF), m3 = vdupq_n_u8(3);
  const int8x16_t k32 = vdupq_n_s8(32);
  int32_t isum = 0;
  for (int half = 0; half < 2; ++half) {
    const uint8_t* ql = b.ql + 64 * half;
    const uint8_t* qh = b.qh + 32 * half;
    for (int l = 0; l < 32; l += 16) {
      const uint8x16_t lo = vld1q_u8(ql + l), lo32 = vld1q_u8(ql + l + 32), h = vld1q_u8(qh + l);
      const uint8x16_t u[4] = {
          vorrq_u8(vandq_u8(lo, m4), vshlq_n_u8(vandq_u8(h, m3), 4)),
          vorrq_u8(vandq_u8(lo32, m4), vshlq_n_u8(vandq_u8(vshrq_n_u8(h, 2), m3), 4)),
          vorrq_u8(vshrq_n_u8(lo, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(h, 4), m3), 4)),
          vorrq_u8(vshrq_n_u8(lo32, 4), vshlq_n_u8(vshrq_n_u8(h, 6), 4))};
      for (int g = 0; g < 4; ++g) {  // elements 128 half + 32 g + l .. + 15: group (that) / 16
        const int e = 128 * half + 32 * g + l;
        const int8x16_t v = vsubq_s8(vreinterpretq_s8_u8(u[g]), k32);
        isum += b.scales[e / 16] * group_sum(v, vld1q_s8(q + e));
      }
    }
  }
  return isum;
}

}  // namespace

void dot_q6k_q8k_1x1__neon(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* /*next*/) {
  const auto* xb = static_cast<const block_q8_K*>(x);
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wb =
        reinterpret_cast<const block_q6_K*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float acc = 0.0f;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
      const int32_t isum = block_isum(wb[b], xb[b].qs);
      acc += (fp16_to_fp32(wb[b].d) * xb[b].d) * static_cast<float>(isum);
    }
    out[r] = acc;
  }
}

}  // namespace bitnet::kernels
