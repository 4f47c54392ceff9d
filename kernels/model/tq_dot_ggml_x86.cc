#include "tq_dot_ggml_x86.h"

#include <cmath>
#include <vector>

namespace bitnet::model::detail {
namespace {

// TQ1_0 trit l of a byte, as ggml extracts it: the byte times 3^l (mod 256), times 3, top bits.
uint8_t trit(uint8_t byte, int l) {
  static constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};
  const uint8_t q = static_cast<uint8_t>(byte * kPow3[l]);
  return static_cast<uint8_t>((static_cast<uint16_t>(q) * 3) >> 8);
}

}  // namespace

void tq2_row_codes(const block_tq2_0* w, int64_t nb, uint8_t* codes, float* dw) {
  for (int64_t b = 0; b < nb; ++b, codes += kQK_K) {
    dw[b] = fp16_to_fp32(w[b].d);
    for (int h = 0; h < 2; ++h)
      for (int l = 0; l < 4; ++l)
        for (int j = 0; j < 32; ++j)
          codes[128 * h + 32 * l + j] = (w[b].qs[32 * h + j] >> (2 * l)) & 3;
  }
}

void tq1_row_codes(const block_tq1_0* w, int64_t nb, uint8_t* codes, float* dw) {
  for (int64_t b = 0; b < nb; ++b, codes += kQK_K) {
    dw[b] = fp16_to_fp32(w[b].d);
    for (int l = 0; l < 5; ++l)
      for (int m = 0; m < 32; ++m) codes[32 * l + m] = trit(w[b].qs[m], l);
    for (int l = 0; l < 5; ++l)
      for (int m = 0; m < 16; ++m) codes[160 + 16 * l + m] = trit(w[b].qs[32 + m], l);
    for (int l = 0; l < 4; ++l)
      for (int j = 0; j < 4; ++j) codes[240 + 4 * l + j] = trit(w[b].qh[j], l);
  }
}

float tq_codes_dot_ggml_x86(const uint8_t* codes, const float* dw, const block_q8_K* x,
                            int64_t nb) {
  float acc[8] = {};
  for (int64_t b = 0; b < nb; ++b, codes += kQK_K) {
    const float d = x[b].d * dw[b];
    // Position j of every group of 32 values feeds 32-bit lane j / 4 (integer sums: any order).
    int32_t pos[32] = {};
    for (int g = 0; g < kQK_K; g += 32)
      for (int j = 0; j < 32; ++j) pos[j] += codes[g + j] * x[b].qs[g + j];
    for (int m = 0; m < 8; ++m) {
      const int32_t lane = pos[4 * m] + pos[4 * m + 1] + pos[4 * m + 2] + pos[4 * m + 3] -
                           x[b].bsums[2 * m] - x[b].bsums[2 * m + 1];
      acc[m] = std::fma(static_cast<float>(lane), d, acc[m]);
    }
  }
  float r[4];  // hsum_float_8: high half + low half, then (0+2) + (1+3)
  for (int i = 0; i < 4; ++i) r[i] = acc[i + 4] + acc[i];
  return (r[0] + r[2]) + (r[1] + r[3]);
}

float tq2_dot_ggml_x86(const block_tq2_0* w, const block_q8_K* x, int64_t nb) {
  std::vector<uint8_t> codes(static_cast<size_t>(nb * kQK_K));
  std::vector<float> dw(static_cast<size_t>(nb));
  tq2_row_codes(w, nb, codes.data(), dw.data());
  return tq_codes_dot_ggml_x86(codes.data(), dw.data(), x, nb);
}

float tq1_dot_ggml_x86(const block_tq1_0* w, const block_q8_K* x, int64_t nb) {
  std::vector<uint8_t> codes(static_cast<size_t>(nb * kQK_K));
  std::vector<float> dw(static_cast<size_t>(nb));
  tq1_row_codes(w, nb, codes.data(), dw.data());
  return tq_codes_dot_ggml_x86(codes.data(), dw.data(), x, nb);
}

}  // namespace bitnet::model::detail
