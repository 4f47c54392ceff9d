// Block layouts of the ternary weight formats and their activation types, byte-compatible with
// llama.cpp (TQ1_0, TQ2_0, Q8_K) and bitnet.cpp (I2_S, I8_S). See docs/formats.md.
#pragma once

#include <cstdint>
#include <cstring>

namespace bitnet {

inline constexpr int kQK_K = 256;      // super-block of the K-quants and TQ formats
inline constexpr int kI2sBlock = 128;  // I2_S x86 layout: 128 weights -> 32 bytes

using fp16_t = uint16_t;  // IEEE binary16 bits

// TQ2_0: 2 bits per weight, code c = trit + 1. Element 128*j + 32*n + m lives in
// qs[32*j + m] at bits 2n..2n+1. Scale stored last.
struct block_tq2_0 {
  uint8_t qs[kQK_K / 4];
  fp16_t d;
};
static_assert(sizeof(block_tq2_0) == 66);

// TQ1_0: 5 trits per byte (base 3, most significant first, scaled by 256/243), 4 trits in each qh
// byte. See kernels/ref/tq1_0.cc for the exact element order.
struct block_tq1_0 {
  uint8_t qs[(kQK_K - 4 * kQK_K / 64) / 5];  // 48
  uint8_t qh[kQK_K / 64];                    // 4
  fp16_t d;
};
static_assert(sizeof(block_tq1_0) == 54);

// Q4_0: 32 4-bit codes (value = code - 8) with one fp16 scale (llama.cpp). Element j of the block
// is the low nibble of qs[j], element j + 16 its high nibble. llama-quantize's fallback for
// projections whose rows are not a multiple of 256 in its TQ1_0/TQ2_0 files.
struct block_q4_0 {
  fp16_t d;
  uint8_t qs[16];
};
static_assert(sizeof(block_q4_0) == 18);

// Q8_0: 32 int8 with one fp16 scale (llama.cpp): embeddings, outputs, fallback projections, and
// the activation type of Q4_0/Q8_0 dots.
struct block_q8_0 {
  fp16_t d;
  int8_t qs[32];
};
static_assert(sizeof(block_q8_0) == 34);

// Q6_K: llama.cpp's 6-bit K-quant (llama-quantize's default for a tied token_embd).
struct block_q6_K {
  uint8_t ql[kQK_K / 2];      // low 4 bits
  uint8_t qh[kQK_K / 4];      // high 2 bits
  int8_t scales[kQK_K / 16];  // 8-bit sub-block scales
  fp16_t d;
};
static_assert(sizeof(block_q6_K) == 210);

// Q8_K: llama.cpp's activation type for the K-quants and TQ formats.
struct block_q8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(block_q8_K) == 292);

// IEEE half <-> float, round-to-nearest-even (what F16C's vcvtps2ph with imm 0 and ggml do).
// static: per-ISA files include this too, and an out-of-line copy compiled with -mavx2 must never
// be the one the linker keeps for baseline code.
static inline float fp16_to_fp32(fp16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

static inline fp16_t fp32_to_fp16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u)
    return static_cast<fp16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));  // NaN
  if (abs >= 0x477ff000u) return static_cast<fp16_t>(sign | 0x7c00u);  // overflow (after rounding)
  if (abs < 0x38800000u) {                                    // result is subnormal or zero
    if (abs < 0x33000000u) return static_cast<fp16_t>(sign);  // < half of the smallest subnormal
    const uint32_t e = abs >> 23;
    const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14 + (113 - e)
    const uint32_t half_m = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    uint32_t r = half_m + ((rem > halfway || (rem == halfway && (half_m & 1u))) ? 1u : 0u);
    return static_cast<fp16_t>(sign | r);
  }
  uint32_t r = abs - 0x38000000u;  // rebias exponent 127 -> 15 (in the f32 bit position)
  const uint32_t rem = r & 0x1fffu;
  r >>= 13;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ++r;  // RNE; carries into the exponent fine
  return static_cast<fp16_t>(sign | r);
}

// bfloat16: the top half of an f32. f32 -> bf16 rounds to nearest even; NaN stays a (quiet) NaN.
using bf16_t = uint16_t;

static inline float bf16_to_fp32(bf16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

static inline bf16_t fp32_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<bf16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<bf16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace bitnet
