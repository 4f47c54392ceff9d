// Q8_K activation quantization (for TQ1_0/TQ2_0), AVX2. Byte-identical to
// kernels/ref/quant_act_q8k.cc.
//
// The per-element arithmetic is the reference's, lane by lane: the same f32 multiply, ggml's
// nearest_int (add 1.5*2^23, keep the mantissa bits: round half to even), the same clamps. The
// max search is order-independent for finite values, so it runs in 8 lanes; the signed max of
// Q8_K is the FIRST element of largest magnitude (found with a compare + movemask). Inputs with
// NaN (whose effect on the reference's max depends on element order) or a non-finite scale are
// handed to the scalar reference, so such inputs give the reference's bytes too.
#include <immintrin.h>

#include <cstring>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"
#include "quant_avx2.h"

namespace bitnet::kernels {
namespace {

// Quantizes one Q8_K block; returns false (nothing written) when the reference must do it.
bool quant_q8k_block(const float* x, uint8_t* dst) {
  bool nan = false;
  const float am = amax8(x, kQK_K, nan);
  if (nan) return false;
  block_q8_K out{};
  if (am == 0.0f) {
    std::memcpy(dst, &out, sizeof out);
    return true;
  }
  // The first element whose magnitude is the max.
  const __m256 vam = _mm256_set1_ps(am);
  int first = -1;
  for (int i = 0; i < kQK_K && first < 0; i += 8) {
    const int m = _mm256_movemask_ps(
        _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), abs_mask()), vam, _CMP_EQ_OQ));
    if (m != 0) first = i + __builtin_ctz(static_cast<unsigned>(m));
  }
  const float iscale = -127.f / x[first];
  if (!__builtin_isfinite(iscale)) return false;  // subnormal or infinite max: |iscale*x| unbounded
  const __m256 vis = _mm256_set1_ps(iscale);
  const __m256i q127 = _mm256_set1_epi32(127);
  const __m256i ones8 = _mm256_set1_epi8(1);
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i s4[8];  // per 32 values: 8 int32 sums of 4 consecutive q
  for (int j = 0; j < 8; ++j) {
    __m256i v[4];
    for (int t = 0; t < 4; ++t)
      v[t] = _mm256_min_epi32(nearest_int8(_mm256_mul_ps(vis, _mm256_loadu_ps(x + 32 * j + 8 * t))),
                              q127);
    const __m256i q = pack_i32_to_i8(v[0], v[1], v[2], v[3]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.qs + 32 * j), q);
    s4[j] = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, q), ones16);
  }
  // 16-sums: per 128-bit half, hadd twice gives the sums of vectors j..j+3, low half = first 16
  // values of each vector (even bsums), high half = last 16 (odd bsums).
  const __m256i ha =
      _mm256_hadd_epi32(_mm256_hadd_epi32(s4[0], s4[1]), _mm256_hadd_epi32(s4[2], s4[3]));
  const __m256i hb =
      _mm256_hadd_epi32(_mm256_hadd_epi32(s4[4], s4[5]), _mm256_hadd_epi32(s4[6], s4[7]));
  const __m256i p = _mm256_packs_epi32(ha, hb);  // even bsums | odd bsums
  const __m128i even = _mm256_castsi256_si128(p), odd = _mm256_extracti128_si256(p, 1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.bsums), _mm_unpacklo_epi16(even, odd));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.bsums + 8), _mm_unpackhi_epi16(even, odd));
  out.d = 1 / iscale;
  std::memcpy(dst, &out, sizeof out);
  return true;
}

}  // namespace

void quant_act_q8k_f32_1x1__avx2(const float* x, int64_t K, uint8_t* dst, float* scale,
                                 int32_t* sum) {
  for (int64_t b = 0; b < K / kQK_K; ++b, x += kQK_K, dst += sizeof(block_q8_K))
    if (!quant_q8k_block(x, dst)) quant_act_q8k_f32_1x1__scalar(x, kQK_K, dst, scale, sum);
}

}  // namespace bitnet::kernels
