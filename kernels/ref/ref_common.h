// Helpers shared by the scalar references: exact rounding and per-block code decoding.
// Internal to kernels/ (not installed); every function is inline and side-effect free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bitnet/formats/blocks.h"
#include "bitnet/formats/rounding.h"
#include "bitnet/kernels/kernel.h"

namespace bitnet::ref {

using ::bitnet::nearest_int;  // bitnet/formats/rounding.h

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

// The TQ x Q8_K reference matmul (llama.cpp's ggml_vec_dot_tq{1,2}_0_q8_K_generic per row and
// column): exact int32 per block, then acc = acc + isum * (d_w * d_x) in block order. TQ1_0 and
// TQ2_0 differ only in the block type and how its codes are decoded.
template <class Block, void (*DecodeCodes)(const uint8_t*, uint8_t*)>
void matmul_tq_q8k(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  const int64_t nb = a.K / kQK_K;
  uint8_t codes[kQK_K];
  for (int64_t m = m_begin; m < m_end; ++m) {
    const uint8_t* row = a.w + m * static_cast<int64_t>(a.w_row_bytes);
    for (int64_t n = 0; n < a.x.N; ++n) {
      const uint8_t* col = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
      float acc = 0.0f;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* wb = row + b * sizeof(Block);
        const uint8_t* xb = col + b * sizeof(block_q8_K);
        const auto* q = reinterpret_cast<const int8_t*>(xb + offsetof(block_q8_K, qs));
        DecodeCodes(wb, codes);
        int32_t isum = 0;
        for (int i = 0; i < kQK_K; ++i) isum += q[i] * (codes[i] - 1);
        const float d = fp16_to_fp32(load_fp16(wb + offsetof(Block, d))) * load_f32(xb);
        acc = acc + static_cast<float>(isum) * d;
      }
      a.y[n * a.y_col_stride + m] = acc;
    }
  }
}

}  // namespace bitnet::ref
