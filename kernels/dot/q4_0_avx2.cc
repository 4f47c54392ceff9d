// Q4_0 weights . Q8_0 activations, AVX2: the codes u = q + 8 (0..15) times the signed
// activations with vpmaddubsw (|pair| <= 2*15*128: no saturation), minus 8 * Σx (vpmaddubsw of
// ones), so the per-block int32 is exact for any bytes; then the reference's scalar
// fma(float(isum), d_w * d_x, acc) in block order.
#include <immintrin.h>

#include <cmath>

#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

float dot_row(const block_q4_0* w, const block_q8_0* x, int64_t nb, uintptr_t pf) {
  const __m256i low = _mm256_set1_epi8(0x0F);
  const __m256i ones8 = _mm256_set1_epi8(1);
  const __m256i ones16 = _mm256_set1_epi16(1);
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    if (pf != 0 && b % 4 == 0)  // the next row, 72 bytes ahead per 4 blocks
      _mm_prefetch(reinterpret_cast<const char*>(pf + b * sizeof(block_q4_0)), _MM_HINT_T0);
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].qs));
    // Elements 0..15: low nibbles, 16..31: high nibbles (ggml's bytes_from_nibbles_32).
    const __m256i u = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), low);
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
    const __m256i prod = _mm256_madd_epi16(_mm256_maddubs_epi16(u, q), ones16);
    const __m256i sumx = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, q), ones16);
    const int32_t isum = hsum_epi32(_mm256_sub_epi32(prod, _mm256_slli_epi32(sumx, 3)));
    const float d = _cvtsh_ss(w[b].d) * _cvtsh_ss(x[b].d);
    acc = std::fma(static_cast<float>(isum), d, acc);
  }
  return acc;
}

}  // namespace

void dot_q4_0_q8_0_1x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* next) {
  const uintptr_t pf = reinterpret_cast<uintptr_t>(next);  // integer: may lie past the tensor
  for (int64_t r = 0; r < rows; ++r)
    out[r] = dot_row(
        reinterpret_cast<const block_q4_0*>(static_cast<const uint8_t*>(w) + r * w_row_bytes),
        static_cast<const block_q8_0*>(x), n / 32, pf == 0 ? 0 : pf + r * w_row_bytes);
}

}  // namespace bitnet::kernels
