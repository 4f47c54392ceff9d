// Q6_K weights . Q8_K activations, AVX2 (ggml_vec_dot_q6_K_q8_K): 6-bit unsigned codes u
// (q = u - 32) times signed Q8_K with vpmaddubsw; the -32 offset is removed with the Q8_K block
// sums. The per-block int32 equals the reference's exactly, and the float steps are its own.
#include <immintrin.h>

#include "bitnet/formats/blocks.h"
#include "dot_avx2.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

// One row of nb blocks; pf != 0: the next row, prefetched block by block.
float dot_row(const block_q6_K* w, const block_q8_K* x, int64_t nb, uintptr_t pf) {
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  const __m256i m2 = _mm256_set1_epi8(0x30);
  const __m128i pair_mask = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    if (pf != 0)  // the next row's block b: 210 bytes, 4 lines
      for (uintptr_t off = 0; off < sizeof(block_q6_K); off += 64)
        _mm_prefetch(reinterpret_cast<const char*>(pf + b * sizeof(block_q6_K) + off), _MM_HINT_T0);
    const uint8_t* ql = w[b].ql;
    const uint8_t* qh = w[b].qh;
    const int8_t* q8 = x[b].qs;
    // The 16 sub-block scales once per block; the -32 offset of the codes as Σ scale * bsums
    // (one vpmaddwd instead of 16 scalar products). Integer sums: same isum in any order.
    const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].scales));
    const __m256i offset =
        _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].bsums)));
    __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5));
    for (int half = 0; half < 2; ++half) {
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
      const __m256i u[4] = {
          _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(h, 4), m2)),
          _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(h, 2), m2)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(h, m2)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                          _mm256_and_si256(_mm256_srli_epi16(h, 2), m2)),
      };
      for (int g = 0; g < 4; ++g) {
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 32 * g));
        const __m256i p = _mm256_maddubs_epi16(u[g], y);  // |.| <= 2*63*128: no saturation
        // Scales 8*half + 2g and the next, each for 8 int16 lanes (16 elements).
        const __m128i pick =
            _mm_add_epi8(pair_mask, _mm_set1_epi8(static_cast<char>(8 * half + 2 * g)));
        const __m256i s = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, pick));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, s));
      }
      ql += 64;
      qh += 32;
      q8 += 128;
    }
    const int32_t isum = hsum_epi32(sumi);
    acc += (_cvtsh_ss(w[b].d) * x[b].d) * static_cast<float>(isum);
  }
  return acc;
}

}  // namespace

void dot_q6k_q8k_1x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* next) {
  // Integer arithmetic: `next` may lie past the tensor (last row), harmless for a prefetch.
  const uintptr_t pf = reinterpret_cast<uintptr_t>(next);
  for (int64_t r = 0; r < rows; ++r)
    out[r] = dot_row(
        reinterpret_cast<const block_q6_K*>(static_cast<const uint8_t*>(w) + r * w_row_bytes),
        static_cast<const block_q8_K*>(x), n / kQK_K, pf == 0 ? 0 : pf + r * w_row_bytes);
}

}  // namespace bitnet::kernels
