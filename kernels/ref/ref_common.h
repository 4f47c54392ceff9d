// Helpers shared by the scalar references: exact rounding and per-block code decoding.
// Internal to kernels/ (not installed); every function is inline and side-effect free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bitnet/formats.h"

namespace bitnet::ref {

// ggml's nearest_int: round to nearest, ties to even, via the 1.5*2^23 trick. Valid for
// |f| <= 4194303 (callers only pass values within ±128·(1+ε)).
inline int nearest_int(float f) {
  const float v = f + 12582912.f;
  int32_t i;
  std::memcpy(&i, &v, sizeof i);
  return (i & 0x007fffff) - 0x00400000;
}

inline float load_f32(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, sizeof f);
  return f;
}

inline fp16_t load_fp16(const uint8_t* p) {
  fp16_t h;
  std::memcpy(&h, p, sizeof h);
  return h;
}

// TQ2_0 block (66 bytes at b) -> 256 codes c in 0..3 in element order (trit = c - 1).
inline void decode_tq2_0_codes(const uint8_t* b, uint8_t codes[kQK_K]) {
  for (int j = 0; j < 2; ++j)
    for (int n = 0; n < 4; ++n)
      for (int m = 0; m < 32; ++m) codes[128 * j + 32 * n + m] = (b[32 * j + m] >> (2 * n)) & 3;
}

// One base-3 digit of a TQ1_0 byte: digit n (0 = most significant) of q*256/243.
inline uint8_t tq1_digit(uint8_t byte, int n) {
  static constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};
  const uint8_t q = static_cast<uint8_t>(byte * kPow3[n]);  // wraps mod 256 by design
  return static_cast<uint8_t>((static_cast<uint16_t>(q) * 3) >> 8);
}

// TQ1_0 block (54 bytes at b: qs[48], qh[4], d) -> 256 codes in element order.
inline void decode_tq1_0_codes(const uint8_t* b, uint8_t codes[kQK_K]) {
  const uint8_t* qs = b;
  const uint8_t* qh = b + 48;
  // qs[0..31]: elements m + 32n, n = 0..4 (160 elements).
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m) codes[32 * n + m] = tq1_digit(qs[m], n);
  // qs[32..47]: elements 160 + m + 16n (80 elements).
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m) codes[160 + 16 * n + m] = tq1_digit(qs[32 + m], n);
  // qh[0..3]: elements 240 + j + 4n, n = 0..3 (16 elements).
  for (int n = 0; n < 4; ++n)
    for (int j = 0; j < 4; ++j) codes[240 + 4 * n + j] = tq1_digit(qh[j], n);
}

// I2_S code of element k of a row (x86 layout: 128-element blocks of 32 bytes, byte j holds
// elements j, 32+j, 64+j, 96+j in bits 7:6, 5:4, 3:2, 1:0). c = 0 (-1), 1 (0), 2 (+1).
inline uint8_t i2s_code(const uint8_t* row, int64_t k) {
  const int64_t blk = k / kI2sBlock;
  const int j = static_cast<int>(k % kI2sBlock);
  const uint8_t byte = row[blk * 32 + (j % 32)];
  return (byte >> (6 - 2 * (j / 32))) & 3;
}

}  // namespace bitnet::ref
