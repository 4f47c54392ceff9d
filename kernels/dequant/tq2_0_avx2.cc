// TQ2_0 dequantization to f32, AVX2. Bit-identical to kernels/ref/dequant_tq2_0.cc: the codes of
// 32 consecutive elements come from one shift + mask of a 32-byte vector (layout: see
// matmul/tq2_0_avx2.cc), then 8 at a time: u8 -> i32 -> -1 -> f32 -> * d.
#include <immintrin.h>

#include <cstring>

#include "bitnet/formats/blocks.h"
#include "codes_avx2.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dequant_tq2_0_f32_1x1__avx2(const uint8_t* src, float* dst, int64_t n, float) {
  const __m256i m3 = _mm256_set1_epi8(3);
  for (int64_t b = 0; b < n / kQK_K; ++b, src += sizeof(block_tq2_0), dst += kQK_K) {
    uint16_t h;
    std::memcpy(&h, src + offsetof(block_tq2_0, d), sizeof h);
    const __m256 d = _mm256_set1_ps(_cvtsh_ss(h));  // F16C: exact, like fp16_to_fp32
    for (int j = 0; j < 2; ++j) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * j));
      for (int k = 0; k < 4; ++k)  // element 128j + 32k + m = bits 2k of qs[32j + m]
        store_codes(_mm256_and_si256(_mm256_srli_epi16(q, 2 * k), m3), d, dst + 128 * j + 32 * k);
    }
  }
}

}  // namespace bitnet::kernels
