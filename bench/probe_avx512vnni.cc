// AVX-512 VNNI peak loop of the machine probe (compiled with avx512vnni flags; called only when
// cpu_has(kAvx512Vnni)).
#include <immintrin.h>

#include "bitnet/bench/probe.h"

namespace bitnet::bench {

uint64_t int8_peak_avx512vnni(uint64_t iterations, uint64_t* ops) {
  __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  __m512i acc[12];
  for (auto& x : acc) x = _mm512_setzero_si512();
  for (uint64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+v"(a), "+v"(b));
    for (auto& x : acc) x = _mm512_dpbusd_epi32(x, a, b);
  }
  __m512i s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm512_xor_si512(s, acc[i]);
  *ops = iterations * 12 * 64 * 2;  // 64 u8*s8 multiply-adds per vpdpbusd, 2 ops each
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, s);
  return lanes[0];
}

}  // namespace bitnet::bench
