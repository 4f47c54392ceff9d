// AVX2 loops of the machine probe (compiled with the avx2 flags; called only when cpu_has(kAvx2)).
#include <immintrin.h>

#include "bitnet/bench/probe.h"

namespace bitnet::bench {

uint64_t read_bytes_avx2(const uint8_t* p, size_t n) {
  // Four independent accumulators so the adds never limit the load rate.
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    a0 = _mm256_add_epi64(a0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    a1 = _mm256_add_epi64(a1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    a2 = _mm256_add_epi64(a2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    a3 = _mm256_add_epi64(a3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  __m256i s = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s);
  uint64_t sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  for (; i < n; ++i) sum += p[i];
  return sum;
}

uint64_t int8_peak_avx2(uint64_t iterations, uint64_t* ops) {
  // vpmaddubsw throughput: 8 independent multiplies per iteration (distinct operands, so none
  // can be merged) into 4 int16 accumulators. The empty asm makes the operands opaque each
  // iteration so no multiply can be hoisted out of the loop; 13 live registers, no spills.
  __m256i a0 = _mm256_set1_epi8(1), a1 = _mm256_set1_epi8(2), a2 = _mm256_set1_epi8(3),
          a3 = _mm256_set1_epi8(4), a4 = _mm256_set1_epi8(5), a5 = _mm256_set1_epi8(6),
          a6 = _mm256_set1_epi8(7), a7 = _mm256_set1_epi8(8), b = _mm256_set1_epi8(-2);
  __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0;
  for (uint64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(b));
    __asm__ volatile("" : "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7));
    c0 = _mm256_add_epi16(c0, _mm256_maddubs_epi16(a0, b));
    c1 = _mm256_add_epi16(c1, _mm256_maddubs_epi16(a1, b));
    c2 = _mm256_add_epi16(c2, _mm256_maddubs_epi16(a2, b));
    c3 = _mm256_add_epi16(c3, _mm256_maddubs_epi16(a3, b));
    c0 = _mm256_add_epi16(c0, _mm256_maddubs_epi16(a4, b));
    c1 = _mm256_add_epi16(c1, _mm256_maddubs_epi16(a5, b));
    c2 = _mm256_add_epi16(c2, _mm256_maddubs_epi16(a6, b));
    c3 = _mm256_add_epi16(c3, _mm256_maddubs_epi16(a7, b));
  }
  __m256i s = _mm256_xor_si256(_mm256_xor_si256(c0, c1), _mm256_xor_si256(c2, c3));
  *ops = iterations * 8 * 32 * 2;  // 32 u8*s8 multiply-adds per vpmaddubsw, 2 ops each
  return static_cast<uint64_t>(_mm256_extract_epi64(s, 0));
}

}  // namespace bitnet::bench
