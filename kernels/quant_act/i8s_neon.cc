// I8_S activation quantization (for I2_S), NEON. Byte-identical to kernels/ref/quant_act_i8s.cc.
//
// The per-element arithmetic is the reference's, lane by lane (the same f32 multiply, ggml's
// nearest_int, the same clamps). The max search is order-independent for finite values, so it
// runs in 16 lanes. Inputs with NaN (whose effect on the reference's max depends on element
// order) or infinities are handed to the scalar reference, so such inputs give its bytes too.
#include "i8s_tail.h"
#include "kernels_decl.h"
#include "quant_neon.h"

namespace bitnet::kernels {

void quant_act_i8s_f32_1x1__neon(const float* x, int64_t K, uint8_t* dst, float* scale,
                                 int32_t* sum) {
  const int64_t K16 = K & ~int64_t{15};
  bool nan = false;
  const float am = i8s::amax_tail(x, K16, K, neon::amax16(x, K16, nan), nan);
  if (nan || __builtin_isinf(am)) {
    quant_act_i8s_f32_1x1__scalar(x, K, dst, scale, sum);
    return;
  }
  const float s = i8s::scale_for(am);
  // |x*s| <= 127*(1+2^-23): nearest_int gives -127..127, so the narrowing never wraps (the
  // reference's clamp to [-128, 127] does nothing here either).
  const float32x4_t vs = vdupq_n_f32(s);
  int32x4_t total = vdupq_n_s32(0);
  int64_t i = 0;
  for (; i + 16 <= K; i += 16) {
    int32x4_t v[4];
    for (int t = 0; t < 4; ++t) v[t] = neon::nearest_int4(vmulq_f32(vld1q_f32(x + i + 4 * t), vs));
    total = vaddq_s32(total, vaddq_s32(vaddq_s32(v[0], v[1]), vaddq_s32(v[2], v[3])));
    const int16x8_t lo = vcombine_s16(vmovn_s32(v[0]), vmovn_s32(v[1]));
    const int16x8_t hi = vcombine_s16(vmovn_s32(v[2]), vmovn_s32(v[3]));
    vst1q_s8(reinterpret_cast<int8_t*>(dst + i), vcombine_s8(vmovn_s16(lo), vmovn_s16(hi)));
  }
  *scale = s;
  *sum = vaddvq_s32(total) + i8s::quantize_tail(x, i, K, s, dst);
}

}  // namespace bitnet::kernels
