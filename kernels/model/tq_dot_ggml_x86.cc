#include "tq_dot_ggml_x86.h"

#include <cmath>

namespace bitnet::model::detail {
namespace {

// The block's codes (0, 1, 2 = weight − 1, 0, +1) in value order, then the shared epilogue.
template <typename Block, typename Codes>
float dot_ggml_x86(const Block* w, const block_q8_K* x, int64_t nb, Codes codes_of) {
  float acc[8] = {};
  uint8_t c[kQK_K];
  for (int64_t b = 0; b < nb; ++b) {
    const float d = x[b].d * fp16_to_fp32(w[b].d);
    codes_of(w[b], c);
    int32_t lane[8] = {};
    for (int i = 0; i < kQK_K; ++i) lane[(i % 32) / 4] += c[i] * x[b].qs[i];
    for (int m = 0; m < 8; ++m) {
      lane[m] -= x[b].bsums[2 * m] + x[b].bsums[2 * m + 1];
      acc[m] = std::fma(static_cast<float>(lane[m]), d, acc[m]);
    }
  }
  float r[4];  // hsum_float_8: high half + low half, then (0+2) + (1+3)
  for (int i = 0; i < 4; ++i) r[i] = acc[i + 4] + acc[i];
  return (r[0] + r[2]) + (r[1] + r[3]);
}

// TQ1_0 trit l of a byte, as ggml extracts it: the byte times 3^l (mod 256), times 3, top bits.
uint8_t trit(uint8_t byte, int l) {
  static constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};
  const uint8_t q = static_cast<uint8_t>(byte * kPow3[l]);
  return static_cast<uint8_t>((static_cast<uint16_t>(q) * 3) >> 8);
}

}  // namespace

float tq2_dot_ggml_x86(const block_tq2_0* w, const block_q8_K* x, int64_t nb) {
  return dot_ggml_x86(w, x, nb, [](const block_tq2_0& blk, uint8_t* c) {
    for (int h = 0; h < 2; ++h)
      for (int l = 0; l < 4; ++l)
        for (int j = 0; j < 32; ++j) c[128 * h + 32 * l + j] = (blk.qs[32 * h + j] >> (2 * l)) & 3;
  });
}

float tq1_dot_ggml_x86(const block_tq1_0* w, const block_q8_K* x, int64_t nb) {
  return dot_ggml_x86(w, x, nb, [](const block_tq1_0& blk, uint8_t* c) {
    for (int l = 0; l < 5; ++l)
      for (int m = 0; m < 32; ++m) c[32 * l + m] = trit(blk.qs[m], l);
    for (int l = 0; l < 5; ++l)
      for (int m = 0; m < 16; ++m) c[160 + 16 * l + m] = trit(blk.qs[32 + m], l);
    for (int l = 0; l < 4; ++l)
      for (int j = 0; j < 4; ++j) c[240 + 4 * l + j] = trit(blk.qh[j], l);
  });
}

}  // namespace bitnet::model::detail
