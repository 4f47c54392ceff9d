// TQ1_0 base-3 decode to 2-bit codes, AVX2 (include only from files built with the avx2 flags;
// anonymous namespace: see tiles.h). Shared by the maddubs tiles and the table-lookup GEMM.
//
// TQ1_0 stores 5 trits per byte in base 3, scaled so that digit n of byte b is
// floor(3 * (b * 3^n mod 256) / 256). Bytes are multiplied by 3 with two byte adds (mod 256 by
// construction), and the digit is the threshold count (v >= 86) + (v >= 171), computed with
// saturating subtracts (no multiplier needed: vpmaddubsw owns the only integer-multiply pipe on
// Zen). Element order per block: qs[0..31] hold elements m + 32n (one 32-byte vector per digit
// n), qs[32..47] hold 160 + m + 16n (two digits per 32-byte vector), qh[0..3] hold 240 + j + 4n.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bitnet/formats/blocks.h"

namespace bitnet::kernels {
namespace {

inline __m256i times3(__m256i v) {
  return _mm256_add_epi8(v, _mm256_add_epi8(v, v));
}
inline __m128i times3(__m128i v) {
  return _mm_add_epi8(v, _mm_add_epi8(v, v));
}

// Base-3 digit of each byte v (already multiplied by 3^n): floor(3v/256) = (v>=86) + (v>=171).
inline __m256i digit(__m256i v) {
  const __m256i one = _mm256_set1_epi8(1);
  const __m256i a = _mm256_min_epu8(_mm256_subs_epu8(v, _mm256_set1_epi8(85)), one);
  const __m256i b =
      _mm256_min_epu8(_mm256_subs_epu8(v, _mm256_set1_epi8(static_cast<char>(170))), one);
  return _mm256_add_epi8(a, b);
}

// The 8 code vectors of one block, in the order of the 8 activation vectors y[32i .. 32i+31].
inline void decode_block(const uint8_t* wb, __m256i code[8]) {
  __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb));
  for (int n = 0; n < 5; ++n) {
    if (n > 0) a = times3(a);
    code[n] = digit(a);
  }
  const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb + 32));
  const __m128i b1 = times3(b0), b2 = times3(b1), b3 = times3(b2), b4 = times3(b3);
  // qh: byte l (0..15) = qh[l % 4] * 3^(l / 4) mod 256 (16-bit multiplies, low bytes kept).
  uint32_t qh;
  std::memcpy(&qh, wb + offsetof(block_tq1_0, qh), sizeof qh);
  const __m256i h16 =
      _mm256_mullo_epi16(_mm256_cvtepu8_epi16(_mm_set1_epi32(static_cast<int>(qh))),
                         _mm256_setr_epi16(1, 1, 1, 1, 3, 3, 3, 3, 9, 9, 9, 9, 27, 27, 27, 27));
  const __m256i h16m = _mm256_and_si256(h16, _mm256_set1_epi16(0xff));
  const __m128i h =
      _mm_packus_epi16(_mm256_castsi256_si128(h16m), _mm256_extracti128_si256(h16m, 1));
  code[5] = digit(_mm256_inserti128_si256(_mm256_castsi128_si256(b0), b1, 1));
  code[6] = digit(_mm256_inserti128_si256(_mm256_castsi128_si256(b2), b3, 1));
  code[7] = digit(_mm256_inserti128_si256(_mm256_castsi128_si256(b4), h, 1));
}

}  // namespace
}  // namespace bitnet::kernels
