// Attention scores over f16 K rows, AVX-512: ref/attn_qk_f16.cc's order (ggml_vec_dot_f16's AVX2
// accumulators, two to a 16-lane register), so its bits. Each K row is widened once for up to
// four heads (eight independent accumulators); rows ahead are prefetched, as they stream from
// DRAM at long contexts.
#include <immintrin.h>

#include <algorithm>

#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

constexpr int64_t kAhead = 32;  // rows prefetched ahead

// (a0 + a1) + (a2 + a3), the 8 lanes by halves: z1 = [a0 | a1], z2 = [a2 | a3].
inline float reduce(__m512 z1, __m512 z2) {
  const __m256 v =
      _mm256_add_ps(_mm256_add_ps(_mm512_castps512_ps256(z1), _mm512_extractf32x8_ps(z1, 1)),
                    _mm256_add_ps(_mm512_castps512_ps256(z2), _mm512_extractf32x8_ps(z2, 1)));
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

}  // namespace

void attn_qk_f16_f32_1x1__avx512(const float* q, int64_t heads, const void* k, size_t row_bytes,
                                 int64_t rows, int64_t n, float scale, float* scores,
                                 int64_t score_stride) {
  const int64_t body = n / 32 * 32;
  alignas(64) float tail[16];
  for (int64_t t = 0; t < rows; ++t) {
    const uint8_t* kt = static_cast<const uint8_t*>(k) + t * row_bytes;
    if (t + kAhead < rows)
      for (int64_t b = 0; b < n * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(kt + kAhead * row_bytes + b), _MM_HINT_T0);
    const auto* k16 = reinterpret_cast<const __m256i*>(kt);
    if (body < n) _mm512_store_ps(tail, _mm512_cvtph_ps(_mm256_loadu_si256(k16 + body / 16)));
    for (int64_t j0 = 0; j0 < heads; j0 += 4) {
      const int hj = static_cast<int>(std::min<int64_t>(4, heads - j0));
      __m512 z1[4], z2[4];
      for (int j = 0; j < 4; ++j) z1[j] = z2[j] = _mm512_setzero_ps();
      for (int64_t i = 0; i < body; i += 32) {
        const __m512 k1 = _mm512_cvtph_ps(_mm256_loadu_si256(k16 + i / 16));
        const __m512 k2 = _mm512_cvtph_ps(_mm256_loadu_si256(k16 + i / 16 + 1));
        for (int j = 0; j < 4; ++j) {
          if (j >= hj) break;
          const float* x = q + (j0 + j) * n + i;
          z1[j] = _mm512_fmadd_ps(k1, _mm512_loadu_ps(x), z1[j]);
          z2[j] = _mm512_fmadd_ps(k2, _mm512_loadu_ps(x + 16), z2[j]);
        }
      }
      for (int j = 0; j < hj; ++j) {
        float s = reduce(z1[j], z2[j]);
        const float* x = q + (j0 + j) * n;
        for (int64_t i = body; i < n; ++i) {
          const float prod = tail[i - body] * x[i];
          s = s + prod;
        }
        scores[(j0 + j) * score_stride + t] = s * scale;
      }
    }
  }
}

}  // namespace bitnet::kernels
