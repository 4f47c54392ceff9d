// s[t] = exp(s[t] - max), returning Σ s[t] summed in double in order (the softmax of
// ggml_vec_soft_max_f32), AVX2 + FMA: a Cephes-style expf in 8 lanes (within 2 ulp of libm; 0
// below e^-87.3) where ggml uses its own vectorized expf; the tail with std::exp like the
// reference. Not bit-exact with the reference: tests/test_kernels_dense.cc bounds the difference.
#include <immintrin.h>

#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

// e^x for x <= 0 (Cephes expf: x = n ln2 + r, |r| <= ln2/2, degree-5 polynomial, times 2^n);
// 0 below -87.33 where 2^n would leave the normal range.
inline __m256 exp_nonpositive(__m256 x) {
  const __m256 too_small = _mm256_cmp_ps(x, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ);
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.33654f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i scale =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_andnot_ps(too_small, _mm256_mul_ps(y, _mm256_castsi256_ps(scale)));
}

}  // namespace

double exp_sum_f32_f32_1x1__avx2(float* s, int64_t n, float max) {
  const __m256 vmax = _mm256_set1_ps(max);
  double sum = 0.0;
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(s + t), vmax));
    _mm256_storeu_ps(s + t, e);
    for (int k = 0; k < 8; ++k) sum += s[t + k];  // in order, as the reference
  }
  for (; t < n; ++t) {
    s[t] = __builtin_expf(s[t] - max);
    sum += s[t];
  }
  return sum;
}

}  // namespace bitnet::kernels
