// Q8_K activation quantization (for TQ1_0/TQ2_0), NEON. Byte-identical to
// kernels/ref/quant_act_q8k.cc.
//
// The per-element arithmetic is the reference's, lane by lane (the same f32 multiply, ggml's
// nearest_int, the same clamp). The max search is order-independent for finite values, so it runs
// in 16 lanes; the signed max of Q8_K is the FIRST element of largest magnitude. Inputs with NaN
// (whose effect on the reference's max depends on element order) or a non-finite scale are
// handed to the scalar reference, so such inputs give the reference's bytes too.
#include <cstring>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "quant_neon.h"

namespace bitnet::kernels {
namespace {

// Quantizes one Q8_K block; returns false (nothing written) when the reference must do it.
bool quant_q8k_block(const float* x, uint8_t* dst) {
  bool nan = false;
  const float am = neon::amax16(x, kQK_K, nan);
  if (nan) return false;
  block_q8_K out{};
  if (am == 0.0f) {
    std::memcpy(dst, &out, sizeof out);
    return true;
  }
  int first = 0;
  while (__builtin_fabsf(x[first]) != am) ++first;
  const float iscale = -127.f / x[first];
  if (!__builtin_isfinite(iscale)) return false;  // subnormal or infinite max: |iscale*x| unbounded
  const float32x4_t vis = vdupq_n_f32(iscale);
  const int32x4_t q127 = vdupq_n_s32(127);
  for (int j = 0; j < kQK_K; j += 16) {
    int32x4_t v[4];
    for (int t = 0; t < 4; ++t)
      v[t] = vminq_s32(neon::nearest_int4(vmulq_f32(vis, vld1q_f32(x + j + 4 * t))), q127);
    // |iscale*x| <= 127*(1+2^-23): every lane is within int8 after the clamp above.
    const int16x8_t lo = vcombine_s16(vmovn_s32(v[0]), vmovn_s32(v[1]));
    const int16x8_t hi = vcombine_s16(vmovn_s32(v[2]), vmovn_s32(v[3]));
    const int8x16_t q = vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
    vst1q_s8(out.qs + j, q);
    out.bsums[j / 16] = static_cast<int16_t>(vaddvq_s16(vpaddlq_s8(q)));
  }
  out.d = 1 / iscale;
  std::memcpy(dst, &out, sizeof out);
  return true;
}

}  // namespace

void quant_act_q8k_f32_1x1__neon(const float* x, int64_t K, uint8_t* dst, float* scale,
                                 int32_t* sum) {
  for (int64_t b = 0; b < K / kQK_K; ++b, x += kQK_K, dst += sizeof(block_q8_K))
    if (!quant_q8k_block(x, dst)) quant_act_q8k_f32_1x1__scalar(x, kQK_K, dst, scale, sum);
}

}  // namespace bitnet::kernels
