// Attention's weighted sum over f16 V rows, AVX-512: ref/attn_pv_f16.cc's order (a fused
// multiply-add per row, rows in order), so its bits. Rows go in blocks of 32; per block, 64
// outputs of up to four heads stay in 16 registers while each V slice is widened once.
#include <immintrin.h>

#include <algorithm>

#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

constexpr int64_t kRows = 32;   // rows per block
constexpr int64_t kAhead = 64;  // rows prefetched ahead

// Outputs [d0, d0 + 16*C) of heads [j0, j0 + H) over rows [t0, t1).
template <int C>
void slice(const float* p, int64_t p_stride, int64_t j0, int hj, const uint8_t* v, size_t row_bytes,
           int64_t t0, int64_t t1, int64_t d0, float* out, int64_t out_stride) {
  __m512 acc[4][C];
  for (int j = 0; j < 4; ++j)
    for (int c = 0; c < C; ++c)
      acc[j][c] =
          j < hj ? _mm512_loadu_ps(out + (j0 + j) * out_stride + d0 + 16 * c) : _mm512_setzero_ps();
  for (int64_t t = t0; t < t1; ++t) {
    const auto* vt = reinterpret_cast<const __m256i*>(v + t * row_bytes) + d0 / 16;
    __m512 vv[C];
    for (int c = 0; c < C; ++c) vv[c] = _mm512_cvtph_ps(_mm256_loadu_si256(vt + c));
    for (int j = 0; j < 4; ++j) {
      if (j >= hj) break;
      const __m512 w = _mm512_set1_ps(p[(j0 + j) * p_stride + t]);
      for (int c = 0; c < C; ++c) acc[j][c] = _mm512_fmadd_ps(w, vv[c], acc[j][c]);
    }
  }
  for (int j = 0; j < hj; ++j)
    for (int c = 0; c < C; ++c)
      _mm512_storeu_ps(out + (j0 + j) * out_stride + d0 + 16 * c, acc[j][c]);
}

}  // namespace

void attn_pv_f16_f32_1x1__avx512(const float* p, int64_t p_stride, int64_t heads, const void* v,
                                 size_t row_bytes, int64_t rows, int64_t n, float* out,
                                 int64_t out_stride) {
  const auto* vb = static_cast<const uint8_t*>(v);
  for (int64_t t0 = 0; t0 < rows; t0 += kRows) {
    const int64_t t1 = std::min(rows, t0 + kRows);
    for (int64_t t = t0 + kAhead; t < std::min(rows, t1 + kAhead); ++t)
      for (int64_t b = 0; b < n * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(vb + t * row_bytes + b), _MM_HINT_T0);
    for (int64_t j0 = 0; j0 < heads; j0 += 4) {
      const int hj = static_cast<int>(std::min<int64_t>(4, heads - j0));
      int64_t d0 = 0;
      for (; d0 + 64 <= n; d0 += 64)
        slice<4>(p, p_stride, j0, hj, vb, row_bytes, t0, t1, d0, out, out_stride);
      for (; d0 < n; d0 += 16)
        slice<1>(p, p_stride, j0, hj, vb, row_bytes, t0, t1, d0, out, out_stride);
    }
  }
}

}  // namespace bitnet::kernels
