// Attention's weighted sum over f16 V rows, AVX2 + FMA + F16C (attn_pv/f16_rows.h): 32 outputs of
// two heads stay in 8 registers.
#include <immintrin.h>

#include "f16_rows.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

struct Avx2 {
  using V = __m256;
  static constexpr int kLanes = 8, kHeads = 2;
  static V load(const float* x) { return _mm256_loadu_ps(x); }
  static V zero() { return _mm256_setzero_ps(); }
  static void store(float* x, V a) { _mm256_storeu_ps(x, a); }
  static V widen(const uint8_t* h) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));
  }
  static V set1(float w) { return _mm256_set1_ps(w); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};

}  // namespace

void attn_pv_f16_f32_1x1__avx2(const float* p, int64_t p_stride, int64_t heads, const void* v,
                               size_t row_bytes, int64_t rows, int64_t n, float* out,
                               int64_t out_stride) {
  attn_pv::rows<Avx2>(p, p_stride, heads, v, row_bytes, rows, n, out, out_stride);
}

}  // namespace bitnet::kernels
