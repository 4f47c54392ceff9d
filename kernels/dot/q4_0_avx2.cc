// Q4_0 weights . Q8_0 activations, AVX2 (q4_0_rows_avx2.h): the unsigned codes times the signed
// activations with vpmaddubsw (|pair| <= 2*15*128: no saturation), pairs summed by vpmaddwd.
#include <immintrin.h>

#include "kernels_decl.h"
#include "q4_0_rows_avx2.h"

namespace bitnet::kernels {

void dot_q4_0_q8_0_1x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* next) {
  const __m256i ones16 = _mm256_set1_epi16(1);
  q4_0_dot_rows(w, w_row_bytes, rows, x, n, out, next, [ones16](__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones16);
  });
}

}  // namespace bitnet::kernels
