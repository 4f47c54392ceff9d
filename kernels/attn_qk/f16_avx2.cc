// Attention scores over f16 K rows, AVX2 + FMA + F16C: ref/attn_qk_f16.cc's order (that of
// ggml_vec_dot_f16's AVX2 code), so its bits. Each K row is widened once into L1 for every head of
// the group, two heads at a time (eight independent accumulators); rows ahead are prefetched, as
// they stream from DRAM at long contexts.
#include <immintrin.h>

#include <algorithm>

#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

constexpr int64_t kAhead = 32;  // rows prefetched ahead

inline float reduce(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
  const __m256 v = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

}  // namespace

void attn_qk_f16_f32_1x1__avx2(const float* q, int64_t heads, const void* k, size_t row_bytes,
                               int64_t rows, int64_t n, float scale, float* scores,
                               int64_t score_stride) {
  alignas(32) static thread_local float kr[kAttnMaxDim];
  const int64_t body = n / 32 * 32;
  for (int64_t t = 0; t < rows; ++t) {
    const uint8_t* kt = static_cast<const uint8_t*>(k) + t * row_bytes;
    if (t + kAhead < rows)
      for (int64_t b = 0; b < n * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(kt + kAhead * row_bytes + b), _MM_HINT_T0);
    const auto* k16 = reinterpret_cast<const __m128i*>(kt);
    for (int64_t i = 0; i < n / 8; ++i)
      _mm256_store_ps(kr + 8 * i, _mm256_cvtph_ps(_mm_loadu_si128(k16 + i)));
    for (int64_t j0 = 0; j0 < heads; j0 += 2) {
      const int hj = static_cast<int>(std::min<int64_t>(2, heads - j0));
      __m256 a[2][4];
      for (auto& aj : a)
        for (auto& x : aj) x = _mm256_setzero_ps();
      for (int64_t i = 0; i < body; i += 32) {
        for (int j = 0; j < 2; ++j) {
          if (j >= hj) break;
          const float* x = q + (j0 + j) * n + i;
          for (int c = 0; c < 4; ++c)
            a[j][c] = _mm256_fmadd_ps(_mm256_load_ps(kr + i + 8 * c), _mm256_loadu_ps(x + 8 * c),
                                      a[j][c]);
        }
      }
      for (int j = 0; j < hj; ++j) {
        float s = reduce(a[j][0], a[j][1], a[j][2], a[j][3]);
        const float* x = q + (j0 + j) * n;
        for (int64_t i = body; i < n; ++i) {
          const float prod = kr[i] * x[i];
          s = s + prod;
        }
        scores[(j0 + j) * score_stride + t] = s * scale;
      }
    }
  }
}

}  // namespace bitnet::kernels
