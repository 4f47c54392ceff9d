// out += p[t] * row t over rows of F32 values, AVX2 + FMA: the accumulators stay in registers
// across the rows (64 outputs at a time), and per element the fmadd sequence is that of one
// 8-lane axpy per row in row order (attention's weighted sum over V).
#include <immintrin.h>

#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

// out[i] += a * v[i]: fmadd in 8 lanes, the tail with a plain multiply and add.
void axpy1(float a, const float* v, float* out, int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i,
                     _mm256_fmadd_ps(va, _mm256_loadu_ps(v + i), _mm256_loadu_ps(out + i)));
  for (; i < n; ++i) out[i] += a * v[i];
}

}  // namespace

void axpy_f32_f32_1x1__avx2(const float* p, const void* v, size_t v_row_bytes, int64_t rows,
                            float* out, int64_t n) {
  const auto row = [&](int64_t t) {
    return reinterpret_cast<const float*>(static_cast<const uint8_t*>(v) + t * v_row_bytes);
  };
  int64_t d = 0;
  for (; d + 64 <= n; d += 64) {
    __m256 acc[8];
    for (int k = 0; k < 8; ++k) acc[k] = _mm256_loadu_ps(out + d + 8 * k);
    for (int64_t t = 0; t < rows; ++t) {
      const __m256 pt = _mm256_set1_ps(p[t]);
      const float* vt = row(t) + d;
      for (int k = 0; k < 8; ++k) acc[k] = _mm256_fmadd_ps(pt, _mm256_loadu_ps(vt + 8 * k), acc[k]);
    }
    for (int k = 0; k < 8; ++k) _mm256_storeu_ps(out + d + 8 * k, acc[k]);
  }
  if (d < n)  // the rest, row by row
    for (int64_t t = 0; t < rows; ++t) axpy1(p[t], row(t) + d, out + d, n - d);
}

}  // namespace bitnet::kernels
