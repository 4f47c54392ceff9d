// Portable matmul kernels written once against xsimd 8.1 and instantiated per architecture in
// <weights>_<isa>_xsimd.cc (each built with its ISA's flags). Exact contract: kernel.h.
//
// xsimd has no u8 x s8 multiply-add (vpmaddubsw), so the kernels work in int16 lanes: a lane
// holds two bytes; the even byte is taken with a shift pair, the odd one with one shift, and
// codes x activations are multiplied with 16-bit mullo. Per lane and block, the int16 sums stay
// far below 2^15 (TQ2_0: at most 32 products of |c-1| <= 2 by |q| <= 128; I2_S: at most 32 of
// c <= 3 by |q| <= 128 per block, widened every block), then each block is widened to int32 by
// splitting lanes with shifts. One row x one column per call: this tier is the portable
// baseline, the intrinsics kernels are the fast ones.
//
// Anonymous namespace: see tiles.h (each TU has its own -m flags).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <xsimd/xsimd.hpp>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/kernel.h"

namespace bitnet::kernels {
namespace {

// IEEE half -> float, exact. A private copy: formats.h's inline fp16_to_fp32 must not be
// instantiated in a TU built with ISA flags (the linker could hand that copy to baseline code).
inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

template <class Arch>
struct XsimdOps {
  using i16 = xsimd::batch<int16_t, Arch>;
  using u16 = xsimd::batch<uint16_t, Arch>;
  using i32 = xsimd::batch<int32_t, Arch>;
  static constexpr size_t kBytes = i16::size * 2;  // bytes per batch

  static i16 load_i16(const uint8_t* p) {
    return i16::load_unaligned(reinterpret_cast<const int16_t*>(p));
  }
  static u16 load_u16(const uint8_t* p) {
    return u16::load_unaligned(reinterpret_cast<const uint16_t*>(p));
  }

  // int8 activations of a batch, sign-extended: even bytes, odd bytes.
  static i16 even_i8(i16 y) { return (y << 8) >> 8; }
  static i16 odd_i8(i16 y) { return y >> 8; }

  // Σ of all int16 lanes, exactly, in int32. Summed through memory rather than xsimd::hadd:
  // the AVX-512 hadd is built from AVX2 halves, and an out-of-line copy of those (a -O0 build)
  // compiled with AVX-512 flags could be picked by the linker for the AVX2 kernels too.
  static int32_t hsum(i16 v) {
    const i32 w = xsimd::bitwise_cast<i32>(v);
    alignas(64) int32_t lanes[i32::size];
    (((w << 16) >> 16) + (w >> 16)).store_aligned(lanes);
    int32_t s = 0;
    for (size_t i = 0; i < i32::size; ++i) s += lanes[i];
    return s;
  }
};

// TQ2_0 x Q8_K: element 128*h + 32*n + m is code (qs[32*h + m] >> 2n) & 3, activation
// qs_x[128*h + 32*n + m]. Batches cover kBytes consecutive m (kBytes <= 64 divides 64 or is 64).
template <class Arch>
int32_t tq2_block_isum(const uint8_t* wb, const uint8_t* xq) {
  using O = XsimdOps<Arch>;
  using i16 = typename O::i16;
  const i16 m3(3), one(1);
  i16 acc(0);
  for (size_t j = 0; j < 64; j += O::kBytes) {  // j = 32*h + m0
    const size_t h = j / 32, m0 = j % 32;
    const i16 q = xsimd::bitwise_cast<i16>(O::load_u16(wb + j));
    for (int n = 0; n < 4; ++n) {
      const uint8_t* y = xq + 128 * h + 32 * n + m0;
      i16 yv;
      if (O::kBytes <= 32) {
        yv = O::load_i16(y);
      } else {  // 64-byte batch spans both halves h = 0, 1 of the block
        alignas(64) uint8_t tmp[64];
        std::memcpy(tmp, xq + 32 * n, 32);
        std::memcpy(tmp + 32, xq + 128 + 32 * n, 32);
        yv = O::load_i16(tmp);
      }
      const i16 sh = xsimd::bitwise_cast<i16>(xsimd::bitwise_cast<typename O::u16>(q) >> (2 * n));
      const i16 c_even = (sh & m3) - one;
      const i16 c_odd = ((sh >> 8) & m3) - one;
      acc += c_even * O::even_i8(yv) + c_odd * O::odd_i8(yv);
    }
    if (O::kBytes > 32) break;  // one 64-byte batch covered the whole block
  }
  return O::hsum(acc);
}

template <class Arch>
void matmul_tq2_0_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  const int64_t nb = a.K / kQK_K;
  for (int64_t m = m_begin; m < m_end; ++m) {
    const uint8_t* row = a.w + m * static_cast<int64_t>(a.w_row_bytes);
    for (int64_t n = 0; n < a.x.N; ++n) {
      const uint8_t* col = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
      float acc = 0.0f;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* wb = row + b * sizeof(block_tq2_0);
        const uint8_t* xb = col + b * sizeof(block_q8_K);
        const int32_t isum = tq2_block_isum<Arch>(wb, xb + offsetof(block_q8_K, qs));
        uint16_t h;
        std::memcpy(&h, wb + offsetof(block_tq2_0, d), sizeof h);
        float xd;
        std::memcpy(&xd, xb, sizeof xd);
        const float d = half_to_float(h) * xd;
        acc = acc + static_cast<float>(isum) * d;
      }
      a.y[n * a.y_col_stride + m] = acc;
    }
  }
}

// I2_S x I8_S: 128-weight blocks of 32 bytes; byte j holds elements j, 32+j, 64+j, 96+j in
// bits 7:6, 5:4, 3:2, 1:0 (field k at shift 6-2k pairs with activations 128*b + 32*k + j).
template <class Arch>
void matmul_i2s_xsimd(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  using O = XsimdOps<Arch>;
  using i16 = typename O::i16;
  using u16 = typename O::u16;
  constexpr size_t kBlocksPerBatch = O::kBytes > 32 ? O::kBytes / 32 : 1;  // 2 for 64-byte batches
  constexpr size_t kBatchesPerBlock = O::kBytes < 32 ? 32 / O::kBytes : 1;
  const int64_t nblk = a.K / kI2sBlock;
  const i16 m3(3);
  for (int64_t m = m_begin; m < m_end; ++m) {
    const uint8_t* row = a.w + m * static_cast<int64_t>(a.w_row_bytes);
    for (int64_t n = 0; n < a.x.N; ++n) {
      const uint8_t* xq = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
      int32_t isum = 0;
      int64_t b = 0;
      for (; b + static_cast<int64_t>(kBlocksPerBatch) <= nblk; b += kBlocksPerBatch) {
        i16 acc(0);
        for (size_t t = 0; t < kBatchesPerBlock; ++t) {
          const size_t j0 = t * O::kBytes;
          const u16 q = O::load_u16(row + 32 * b + j0);
          for (int k = 0; k < 4; ++k) {
            i16 yv;
            if (kBlocksPerBatch == 1) {
              yv = O::load_i16(xq + 128 * b + 32 * k + j0);
            } else {
              alignas(64) uint8_t tmp[64];
              for (size_t u = 0; u < kBlocksPerBatch; ++u)
                std::memcpy(tmp + 32 * u, xq + 128 * (b + u) + 32 * k, 32);
              yv = O::load_i16(tmp);
            }
            const i16 sh = xsimd::bitwise_cast<i16>(q >> (6 - 2 * k));
            acc += (sh & m3) * O::even_i8(yv) + ((sh >> 8) & m3) * O::odd_i8(yv);
          }
        }
        isum += O::hsum(acc);
      }
      for (; b < nblk; ++b)  // a tail block when a batch spans two blocks
        for (int j = 0; j < 32; ++j)
          for (int k = 0; k < 4; ++k)
            isum += ((row[32 * b + j] >> (6 - 2 * k)) & 3) *
                    static_cast<int8_t>(xq[128 * b + 32 * k + j]);
      const float t = static_cast<float>(isum) - static_cast<float>(a.x.sum[n]);
      a.y[n * a.y_col_stride + m] = t / a.x.scale[n] * a.w_scale;
    }
  }
}

}  // namespace
}  // namespace bitnet::kernels
