// Q6_K . Q8_K reference (ggml_vec_dot_q6_K_q8_K): per block the exact int32
// isum = Σ_j scale_j * Σ_i (u - 32) * q, then acc += (d_w * d_x) * isum in block order.
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

// Six-bit values (0..63) of one Q6_K block in element order.
void unpack_q6k(const block_q6_K& b, uint8_t* q) {
  const uint8_t* ql = b.ql;
  const uint8_t* qh = b.qh;
  for (int half = 0; half < 2; ++half) {
    for (int l = 0; l < 32; ++l) {
      q[l + 0] = static_cast<uint8_t>((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4));
      q[l + 32] = static_cast<uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
      q[l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      q[l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
    q += 128;
    ql += 64;
    qh += 32;
  }
}

}  // namespace

void dot_q6k_q8k_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* /*next*/) {
  const auto* xb = static_cast<const block_q8_K*>(x);
  uint8_t q[kQK_K];
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wb =
        reinterpret_cast<const block_q6_K*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float acc = 0.0f;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
      unpack_q6k(wb[b], q);
      int32_t isum = 0;
      for (int j = 0; j < kQK_K / 16; ++j) {
        int32_t s = 0;
        for (int i = 0; i < 16; ++i) s += (q[16 * j + i] - 32) * xb[b].qs[16 * j + i];
        isum += wb[b].scales[j] * s;
      }
      acc += (fp16_to_fp32(wb[b].d) * xb[b].d) * static_cast<float>(isum);
    }
    out[r] = acc;
  }
}

}  // namespace bitnet::kernels
