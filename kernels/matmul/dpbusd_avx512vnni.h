// The vpdpbusd scheme (AVX-512 VNNI): unsigned 2-bit codes (0..3) times signed int8 activations,
// groups of 4 products added straight into int32 lanes, so there is no int16 stage and no
// overflow bound to respect. A 64-byte register holds the codes of two 32-byte code groups; the
// matching activations are two 32-byte pieces, loaded into the halves of one register. Include
// only from files built with the avx512vnni flags; anonymous namespace: see tiles.h. The format
// policies (tiles.h's PolicyTile) are in tq2_0_avx512vnni.cc and i2s_avx512vnni.cc.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "epilogue_avx2.h"
#include "tiles.h"

namespace bitnet::kernels {
namespace {

// One 2-bit field of 64 code bytes, (q >> shift) & 3, times 64 int8 activations: vpdpbusd.
struct DpbusdOps {
  using V = __m512i;
  static V field(V q, int shift) {
    return _mm512_and_si512(_mm512_srli_epi16(q, shift), _mm512_set1_epi8(3));
  }
  static void mac(V& s, V code, V y) { s = _mm512_dpbusd_epi32(s, code, y); }
};

// Two 32-byte pieces -> one 64-byte register (lo, hi).
inline __m512i load_2x32(const uint8_t* lo, const uint8_t* hi) {
  return _mm512_inserti64x4(
      _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo))),
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi)), 1);
}

// One 32-byte piece in the low half, zeros above.
inline __m512i load_32_zext(const uint8_t* p) {
  return _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// 16 int32 lanes -> 8 (halves added), for the AVX2 reduction helpers.
// (vshufi64x2 rather than vextracti64x4: GCC 12's extract intrinsic warns about its own
// _mm256_undefined_si256.)
inline __m256i fold512(__m512i v) {
  return _mm256_add_epi32(_mm512_castsi512_si256(v),
                          _mm512_castsi512_si256(_mm512_shuffle_i64x2(v, v, 0xEE)));
}

// A format's policy (epilogue_avx2.h) with int32 sums of this scheme, starting at zero.
template <class Format>
struct DpbusdPolicy : Format {
  using Sum = __m512i;
  template <int R, int C>
  static void group_begin(const uint8_t* const (&)[C], Sum (&s)[R][C]) {
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) s[r][c] = _mm512_setzero_si512();
  }
};

}  // namespace
}  // namespace bitnet::kernels
