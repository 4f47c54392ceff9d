// Activation quantization, AVX2: Q8_K (for TQ1_0/TQ2_0) and I8_S (for I2_S). Byte-identical to
// kernels/ref/quant_act_q8k.cc and quant_act_i8s.cc.
//
// The per-element arithmetic is the reference's, lane by lane: the same f32 multiply, ggml's
// nearest_int (add 1.5*2^23, keep the mantissa bits: round half to even), the same clamps. The
// max search is order-independent for finite values, so it runs in 8 lanes; the signed max of
// Q8_K is the FIRST element of largest magnitude (found with a compare + movemask). Inputs with
// NaN (whose effect on the references' max depends on element order) or a non-finite scale are
// handed to the scalar reference, so such inputs give the reference's bytes too.
// (__builtin_ math, not std::: no out-of-line copies built with AVX2 flags; see tiles.h.)
#include <immintrin.h>

#include <cstring>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

// No namespace-scope SIMD constants: their initializers would run at startup on any CPU.
inline __m256 abs_mask() {
  return _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
}

// ggml's nearest_int on 8 lanes (valid for |f| <= 2^22, which the fast paths guarantee).
inline __m256i nearest_int8(__m256 f) {
  const __m256 v = _mm256_add_ps(f, _mm256_set1_ps(12582912.f));
  return _mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32(0x007fffff)),
                          _mm256_set1_epi32(0x00400000));
}

inline int nearest_int1(float f) {
  const float v = f + 12582912.f;
  int32_t i;
  std::memcpy(&i, &v, sizeof i);
  return (i & 0x007fffff) - 0x00400000;
}

// 32 int32 (four vectors, each within int8 range) -> 32 int8 in element order.
inline __m256i pack_i32_to_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packs_epi32(a, b);  // per 128-bit half: a0-3 b0-3 | a4-7 b4-7
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i p = _mm256_packs_epi16(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline float hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// Quantizes one Q8_K block; returns false (nothing written) when the reference must do it.
bool quant_q8k_block(const float* x, uint8_t* dst) {
  __m256 amax = _mm256_setzero_ps();
  __m256 unord = _mm256_setzero_ps();
  for (int i = 0; i < kQK_K; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    // max_ps(a, b) = a > b ? a : b: a NaN |x| never replaces the running max (as in the ref).
    amax = _mm256_max_ps(_mm256_and_ps(v, abs_mask()), amax);
    unord = _mm256_or_ps(unord, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  if (_mm256_movemask_ps(unord) != 0) return false;
  const float am = hmax8(amax);
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

void quant_act_i8s_f32_1x1__avx2(const float* x, int64_t K, uint8_t* dst, float* scale,
                                 int32_t* sum) {
  const int64_t K8 = K & ~int64_t{7};
  __m256 amax = _mm256_setzero_ps();
  __m256 unord = _mm256_setzero_ps();
  for (int64_t i = 0; i < K8; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    amax = _mm256_max_ps(_mm256_and_ps(v, abs_mask()), amax);
    unord = _mm256_or_ps(unord, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  float am = hmax8(amax);
  bool nan = _mm256_movemask_ps(unord) != 0;
  for (int64_t i = K8; i < K; ++i) {
    const float a = __builtin_fabsf(x[i]);
    nan = nan || __builtin_isnan(a);
    am = a > am ? a : am;
  }
  // NaN: the reference's sequential MAX depends on where the NaN is. inf: s = 0 and x*s may be
  // NaN. Both are left to the reference.
  if (nan || __builtin_isinf(am)) {
    quant_act_i8s_f32_1x1__scalar(x, K, dst, scale, sum);
    return;
  }
  const double max = am > 0.00001 ? static_cast<double>(am) : 0.00001;
  const float s = static_cast<float>(127 / max);
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
  for (; i < K; ++i) {
    int v = nearest_int1(x[i] * s);
    v = v > 127 ? 127 : (v < -128 ? -128 : v);
    t += v;
    dst[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
  }
  *scale = s;
  *sum = t;
}

}  // namespace bitnet::kernels
