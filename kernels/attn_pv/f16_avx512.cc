// Attention's weighted sum over f16 V rows, AVX-512 (attn_pv/f16_rows.h): 64 outputs of up to four
// heads stay in 16 registers.
#include <immintrin.h>

#include "f16_rows.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

struct Avx512 {
  using V = __m512;
  static constexpr int kLanes = 16, kHeads = 4;
  static V load(const float* x) { return _mm512_loadu_ps(x); }
  static V zero() { return _mm512_setzero_ps(); }
  static void store(float* x, V a) { _mm512_storeu_ps(x, a); }
  static V widen(const uint8_t* h) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h)));
  }
  static V set1(float w) { return _mm512_set1_ps(w); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
};

}  // namespace

void attn_pv_f16_f32_1x1__avx512(const float* p, int64_t p_stride, int64_t heads, const void* v,
                                 size_t row_bytes, int64_t rows, int64_t n, float* out,
                                 int64_t out_stride) {
  attn_pv::rows<Avx512>(p, p_stride, heads, v, row_bytes, rows, n, out, out_stride);
}

}  // namespace bitnet::kernels
