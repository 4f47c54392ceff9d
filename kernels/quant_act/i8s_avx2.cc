// I8_S activation quantization (for I2_S), AVX2. Byte-identical to
// kernels/ref/quant_act_i8s.cc.
//
// The per-element arithmetic is the reference's, lane by lane: the same f32 multiply, ggml's
// nearest_int (add 1.5*2^23, keep the mantissa bits: round half to even), the same clamps. The
// max search is order-independent for finite values, so it runs in 8 lanes. Inputs with NaN
// (whose effect on the reference's max depends on element order) or infinities are handed to the
// scalar reference, so such inputs give the reference's bytes too.
#include <immintrin.h>

#include "i8s_tail.h"
#include "kernels_decl.h"
#include "quant_avx2.h"

namespace bitnet::kernels {

void quant_act_i8s_f32_1x1__avx2(const float* x, int64_t K, uint8_t* dst, float* scale,
                                 int32_t* sum) {
  const int64_t K8 = K & ~int64_t{7};
  bool nan = false;
  const float am = i8s::amax_tail(x, K8, K, amax8(x, K8, nan), nan);
  // NaN: the reference's sequential MAX depends on where the NaN is. inf: s = 0 and x*s may be
  // NaN. Both are left to the reference.
  if (nan || __builtin_isinf(am)) {
    quant_act_i8s_f32_1x1__scalar(x, K, dst, scale, sum);
    return;
  }
  const float s = i8s::scale_for(am);
  // |x*s| <= 127*(1+2^-23): nearest_int gives -127..127, so packs' saturation never triggers
  // (the reference's clamp to [-128, 127] is the same saturation).
  const __m256 vs = _mm256_set1_ps(s);
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i total = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 32 <= K; i += 32) {
    __m256i v[4];
    for (int t = 0; t < 4; ++t)
      v[t] = nearest_int8(_mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * t), vs));
    const __m256i a = _mm256_packs_epi32(v[0], v[1]), b = _mm256_packs_epi32(v[2], v[3]);
    total = _mm256_add_epi32(total, _mm256_madd_epi16(_mm256_add_epi16(a, b), ones16));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        pack_i32_to_i8(v[0], v[1], v[2], v[3]));
  }
  alignas(32) int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), total);
  int32_t t = 0;
  for (int l = 0; l < 8; ++l) t += lanes[l];
  *scale = s;
  *sum = t + i8s::quantize_tail(x, i, K, s, dst);
}

}  // namespace bitnet::kernels
