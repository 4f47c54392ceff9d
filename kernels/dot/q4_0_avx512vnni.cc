// Q4_0 weights . Q8_0 activations with AVX-512 VNNI (q4_0_rows_avx2.h): 256-bit vpdpbusd
// (AVX512VL) multiplies the unsigned codes by the signed activations into 4-element int32 lanes,
// so the bits are the reference's.
#include <immintrin.h>

#include "kernels_decl.h"
#include "q4_0_rows_avx2.h"

namespace bitnet::kernels {

void dot_q4_0_q8_0_1x1__avx512vnni(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                                   int64_t n, float* out, const void* next) {
  q4_0_dot_rows(w, w_row_bytes, rows, x, n, out, next, [](__m256i u, __m256i s) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
  });
}

}  // namespace bitnet::kernels
