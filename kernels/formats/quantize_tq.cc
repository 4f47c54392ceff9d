// TQ1_0 / TQ2_0 weight quantizers, byte-exact with llama.cpp's quantize_row_tq{1,2}_0_ref:
// per 256-block d = max|x| (stored as fp16), trit = lroundf(x * (1/d)) (ties away from zero).
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitnet/formats/quantize.h"

namespace bitnet {
namespace {

void check_blocks(const char* what, int64_t n) {
  if (n < 0 || n % kQK_K != 0)
    throw std::invalid_argument(std::string(what) + ": n = " + std::to_string(n) +
                                " is not a multiple of the 256-element block");
}

// Inverse scale and fp16 scale of one block (d = max|x|; 1/d, or 0 for an all-zero block).
float block_inverse_scale(const float* x, fp16_t* d16) {
  float amax = 0.0f;
  for (int j = 0; j < kQK_K; ++j) {
    const float a = std::fabs(x[j]);
    amax = amax > a ? amax : a;  // the origin's MAX(a, b) macro
  }
  *d16 = fp32_to_fp16(amax);
  return amax != 0.0f ? 1.0f / amax : 0.0f;
}

// Code c = trit + 1 in {0,1,2}. Out-of-range products only happen for non-finite input.
// lroundf is an out-of-line libm call per weight (most of synthetic generation time); for
// |v| < 1.5 its result is two compares. inf, NaN and subnormal-scale blocks keep lroundf.
int code_of(float x, float id) {
  const float v = x * id;
  if (std::fabs(v) < 1.5f) return static_cast<int>(v >= 0.5f) - static_cast<int>(v <= -0.5f) + 1;
  return static_cast<int>(std::lroundf(v)) + 1;
}

// Base-3 digits most significant first, then ceil(q*256/243): the TQ1_0 byte.
uint8_t pack5(const int* c, int count) {
  uint8_t q = 0;
  for (int i = 0; i < count; ++i) q = static_cast<uint8_t>(q * 3 + c[i]);
  for (int i = count; i < 5; ++i) q = static_cast<uint8_t>(q * 3);  // qh: shift to the top trit
  return static_cast<uint8_t>((static_cast<uint16_t>(q) * 256 + (243 - 1)) / 243);
}

}  // namespace

void quantize_tq2_0(const float* x, uint8_t* dst, int64_t n) {
  check_blocks("quantize_tq2_0", n);
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K, dst += sizeof(block_tq2_0)) {
    block_tq2_0 out{};
    const float id = block_inverse_scale(x, &out.d);
    for (int j = 0; j < 2; ++j)
      for (int m = 0; m < 32; ++m) {
        uint8_t q = 0;
        for (int k = 0; k < 4; ++k) q += (code_of(x[128 * j + 32 * k + m], id) & 3) << (2 * k);
        out.qs[32 * j + m] = q;
      }
    std::memcpy(dst, &out, sizeof out);
  }
}

void quantize_tq1_0(const float* x, uint8_t* dst, int64_t n) {
  check_blocks("quantize_tq1_0", n);
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K, dst += sizeof(block_tq1_0)) {
    block_tq1_0 out{};
    const float id = block_inverse_scale(x, &out.d);
    int c[5];
    for (int m = 0; m < 32; ++m) {  // qs[0..31]: elements m + 32k
      for (int k = 0; k < 5; ++k) c[k] = code_of(x[m + 32 * k], id);
      out.qs[m] = pack5(c, 5);
    }
    for (int m = 0; m < 16; ++m) {  // qs[32..47]: elements 160 + m + 16k
      for (int k = 0; k < 5; ++k) c[k] = code_of(x[160 + m + 16 * k], id);
      out.qs[32 + m] = pack5(c, 5);
    }
    for (int j = 0; j < 4; ++j) {  // qh[j]: elements 240 + j + 4k
      for (int k = 0; k < 4; ++k) c[k] = code_of(x[240 + j + 4 * k], id);
      out.qh[j] = pack5(c, 4);
    }
    std::memcpy(dst, &out, sizeof out);
  }
}

}  // namespace bitnet
