// The aarch64 ternary matmuls (TQ2_0 / TQ1_0 x Q8_K, I2_S x I8_S): R weight rows x one activation
// column per step, every activation vector loaded once per step. Exact contract: kernel.h.
//
// How: the codes are unpacked to int8 (TQ: c - 1 in {-1, 0, 1}, 2 for the invalid code 3; I2_S:
// c in {0, 1, 2, 3}) and multiplied with the int8 activations by a Dot policy, 16 lanes at a time:
//  - DotNeon (baseline Advanced SIMD): SMULL + SMLAL2 into int16 (two products per lane, each
//    within ±384, so no overflow for any bytes), then SADALP into int32.
//  - DotSdot (dotprod): one SDOT, four products per int32 lane.
// Both give the exact int32 sums, so the f32 epilogue is the reference's, in the reference's
// order. Included only by files built with the neon/dotprod flags.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/kernel.h"

namespace bitnet::kernels::neon {

struct DotNeon {
  static int32x4_t dot(int32x4_t acc, int8x16_t a, int8x16_t b) {
    int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    p = vmlal_high_s8(p, a, b);
    return vpadalq_s16(acc, p);
  }
};

#if defined(__ARM_FEATURE_DOTPROD)
struct DotSdot {
  static int32x4_t dot(int32x4_t acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, a, b); }
};
#endif

inline float load_f32(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, sizeof f);
  return f;
}
inline float block_scale(const uint8_t* p) {
  fp16_t h;
  std::memcpy(&h, p, sizeof h);
  return fp16_to_fp32(h);
}

// TQ2_0: field k (bits 2k) of qs[32h + m] is element 128h + 32k + m.
struct Tq2 {
  using Block = block_tq2_0;
  template <class Dot, int R>
  static void block(const uint8_t* const (&w)[R], const int8_t* q, int32x4_t (&acc)[R]) {
    const uint8x16_t three = vdupq_n_u8(3), one = vdupq_n_u8(1);
    for (int h = 0; h < 2; ++h) {
      int8x16_t x[4][2];
      for (int k = 0; k < 4; ++k) {
        x[k][0] = vld1q_s8(q + 128 * h + 32 * k);
        x[k][1] = vld1q_s8(q + 128 * h + 32 * k + 16);
      }
      for (int r = 0; r < R; ++r) {
        const uint8x16_t v0 = vld1q_u8(w[r] + 32 * h), v1 = vld1q_u8(w[r] + 32 * h + 16);
        for (int k = 0; k < 4; ++k) {
          const int8x16_t s = vdupq_n_s8(static_cast<int8_t>(-2 * k));
          const uint8x16_t c0 = vandq_u8(vshlq_u8(v0, s), three);
          const uint8x16_t c1 = vandq_u8(vshlq_u8(v1, s), three);
          acc[r] = Dot::dot(acc[r], vreinterpretq_s8_u8(vsubq_u8(c0, one)), x[k][0]);
          acc[r] = Dot::dot(acc[r], vreinterpretq_s8_u8(vsubq_u8(c1, one)), x[k][1]);
        }
      }
    }
  }
};

// TQ1_0: base-3 digit n of a byte is ((byte * 3^n mod 256) * 3) >> 8 (kernels/ref/ref_common.h).
// qs[m] (m < 32): digit n is element 32n + m; qs[32 + m] (m < 16): element 160 + 16n + m;
// qh[j] (j < 4, digits n < 4): element 240 + 4n + j.
struct Tq1 {
  using Block = block_tq1_0;
  static int8x16_t digit(uint8x16_t v, uint8x16_t pow3) {
    const uint8x16_t p = vmulq_u8(v, pow3);  // wraps mod 256 by design
    const uint8x16_t three = vdupq_n_u8(3);
    const uint8x8_t lo = vshrn_n_u16(vmull_u8(vget_low_u8(p), vget_low_u8(three)), 8);
    const uint8x8_t hi = vshrn_n_u16(vmull_high_u8(p, three), 8);
    return vreinterpretq_s8_u8(vsubq_u8(vcombine_u8(lo, hi), vdupq_n_u8(1)));
  }
  template <class Dot, int R>
  static void block(const uint8_t* const (&w)[R], const int8_t* q, int32x4_t (&acc)[R]) {
    static constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};
    static constexpr uint8_t kQhPow3[16] = {1, 1, 1, 1, 3, 3, 3, 3, 9, 9, 9, 9, 27, 27, 27, 27};
    const uint8x16_t qh_pow3 = vld1q_u8(kQhPow3);
    for (int r = 0; r < R; ++r) {
      const uint8x16_t a0 = vld1q_u8(w[r]), a1 = vld1q_u8(w[r] + 16), b = vld1q_u8(w[r] + 32);
      uint32_t qh4;
      std::memcpy(&qh4, w[r] + 48, 4);
      const uint8x16_t h = vreinterpretq_u8_u32(vdupq_n_u32(qh4));
      for (int n = 0; n < 5; ++n) {
        const uint8x16_t p = vdupq_n_u8(kPow3[n]);
        acc[r] = Dot::dot(acc[r], digit(a0, p), vld1q_s8(q + 32 * n));
        acc[r] = Dot::dot(acc[r], digit(a1, p), vld1q_s8(q + 32 * n + 16));
        acc[r] = Dot::dot(acc[r], digit(b, p), vld1q_s8(q + 160 + 16 * n));
      }
      acc[r] = Dot::dot(acc[r], digit(h, qh_pow3), vld1q_s8(q + 240));
    }
  }
};

// TQ x Q8_K: per block an exact int32, then acc = acc + (float)isum * (d_w * d_x) in block order.
template <class Fmt, class Dot, int R>
void matmul_tq(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  using Block = typename Fmt::Block;
  const int64_t nb = a.K / kQK_K;
  for (int64_t m0 = m_begin; m0 < m_end; m0 += R) {
    const int rows = m_end - m0 < R ? static_cast<int>(m_end - m0) : R;
    for (int64_t n = 0; n < a.x.N; ++n) {
      const uint8_t* col = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
      float acc[R] = {};
      if (rows == R) {
        const uint8_t* row[R];
        for (int r = 0; r < R; ++r) row[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
        for (int64_t b = 0; b < nb; ++b) {
          const uint8_t* xb = col + b * sizeof(block_q8_K);
          const uint8_t* wb[R];
          int32x4_t s[R];
          for (int r = 0; r < R; ++r) {
            wb[r] = row[r] + b * sizeof(Block);
            s[r] = vdupq_n_s32(0);
          }
          Fmt::template block<Dot, R>(
              wb, reinterpret_cast<const int8_t*>(xb + offsetof(block_q8_K, qs)), s);
          const float dx = load_f32(xb);
          for (int r = 0; r < R; ++r) {
            const float d = block_scale(wb[r] + offsetof(Block, d)) * dx;
            acc[r] = acc[r] + static_cast<float>(vaddvq_s32(s[r])) * d;
          }
        }
      } else {  // the tail rows, one at a time
        for (int r = 0; r < rows; ++r) {
          const uint8_t* row = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
          for (int64_t b = 0; b < nb; ++b) {
            const uint8_t* xb = col + b * sizeof(block_q8_K);
            const uint8_t* const wb[1] = {row + b * sizeof(Block)};
            int32x4_t s[1] = {vdupq_n_s32(0)};
            Fmt::template block<Dot, 1>(
                wb, reinterpret_cast<const int8_t*>(xb + offsetof(block_q8_K, qs)), s);
            const float d = block_scale(wb[0] + offsetof(Block, d)) * load_f32(xb);
            acc[r] = acc[r] + static_cast<float>(vaddvq_s32(s[0])) * d;
          }
        }
      }
      for (int r = 0; r < rows; ++r) a.y[n * a.y_col_stride + m0 + r] = acc[r];
    }
  }
}

// I2_S x I8_S: isum = Σ c*q over the row (codes unshifted; byte j of a 32-byte block holds
// elements j, 32 + j, 64 + j, 96 + j in bits 7:6, 5:4, 3:2, 1:0), then
// y = ((float)isum - (float)sum) / scale * w_scale.
template <class Dot, int R>
void matmul_i2s(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  const int64_t nb = a.K / kI2sBlock;
  const uint8x16_t three = vdupq_n_u8(3);
  for (int64_t m0 = m_begin; m0 < m_end; m0 += R) {
    const int rows = m_end - m0 < R ? static_cast<int>(m_end - m0) : R;
    const uint8_t* row[R];
    for (int r = 0; r < R; ++r)
      row[r] = a.w + (m0 + (r < rows ? r : 0)) * static_cast<int64_t>(a.w_row_bytes);
    for (int64_t n = 0; n < a.x.N; ++n) {
      const auto* q =
          reinterpret_cast<const int8_t*>(a.x.data + n * static_cast<int64_t>(a.x.col_bytes));
      int32x4_t s[R];
      for (int r = 0; r < R; ++r) s[r] = vdupq_n_s32(0);
      for (int64_t b = 0; b < nb; ++b) {
        int8x16_t x[4][2];
        for (int g = 0; g < 4; ++g) {
          x[g][0] = vld1q_s8(q + b * kI2sBlock + 32 * g);
          x[g][1] = vld1q_s8(q + b * kI2sBlock + 32 * g + 16);
        }
        for (int r = 0; r < R; ++r) {
          if (r >= rows) break;
          const uint8x16_t v0 = vld1q_u8(row[r] + 32 * b), v1 = vld1q_u8(row[r] + 32 * b + 16);
          for (int g = 0; g < 4; ++g) {
            const int8x16_t sh = vdupq_n_s8(static_cast<int8_t>(2 * g - 6));
            s[r] = Dot::dot(s[r], vreinterpretq_s8_u8(vandq_u8(vshlq_u8(v0, sh), three)), x[g][0]);
            s[r] = Dot::dot(s[r], vreinterpretq_s8_u8(vandq_u8(vshlq_u8(v1, sh), three)), x[g][1]);
          }
        }
      }
      for (int r = 0; r < rows; ++r) {
        const float t = static_cast<float>(vaddvq_s32(s[r])) - static_cast<float>(a.x.sum[n]);
        a.y[n * a.y_col_stride + m0 + r] = t / a.x.scale[n] * a.w_scale;
      }
    }
  }
}

}  // namespace bitnet::kernels::neon
