// The row-interleaved vpdpbusd policy (bcast_avx512vnni.h) for TQ2_0 and TQ1_0 weights x Q8_K
// activations: the GEMM (prefill) path of tq2_0_avx512vnni_bcast.cc and tq1_0_avx512vnni_bcast.cc.
// Exact contract: kernel.h (bit-identical to kernels/ref/matmul_tq{2,1}_0.cc). Include only from
// files built with the avx512vnni flags; anonymous namespace: see tiles.h.
//
// TQ2_0 code byte 32h + m holds elements 128h + 32k + m in bits 2k+1:2k, so dword p (h = p / 8,
// m = 4 (p % 8)) pairs field k with activations 128h + 32k + m .. +3. TQ1_0 blocks are decoded
// into that layout per row and block (tq1_decode_avx2.h, as the table-lookup GEMM does). The
// block's sums of c·q lose the +1 code offset by Σq (counted here from the block's own int8
// activations, so it holds for any bytes), then acc = acc + (float)isum * (d_w * d_x).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "bcast_avx512vnni.h"
#include "bitnet/formats/blocks.h"
#include "tiles.h"
#include "tq1_decode_avx2.h"

namespace bitnet::kernels {
namespace {

template <class Block>
struct TqBcast {
  static constexpr int kBlockElems = kQK_K;
  static constexpr int kDwords = kQK_K / 16;
  static constexpr bool kPerBlock = true;
  struct ColumnBlock {
    float d;
    int32_t qsum;
  };

  static constexpr int elem(int p, int k) { return 128 * (p / 8) + 32 * k + 4 * (p % 8); }
  static constexpr int shift(int k) { return 2 * k; }
  static const uint8_t* block(const uint8_t* row, int64_t b) { return row + b * sizeof(Block); }
  static const uint8_t* codes(const uint8_t* row, int64_t b, uint8_t* tmp) {
    if constexpr (std::is_same_v<Block, block_tq2_0>) {
      return block(row, b);
    } else {
      __m256i code[8];
      decode_block(block(row, b), code);
      for (int h = 0; h < 2; ++h) {
        const __m256i* c = code + 4 * h;
        const __m256i packed = _mm256_or_si256(
            _mm256_or_si256(c[0], _mm256_slli_epi16(c[1], 2)),
            _mm256_or_si256(_mm256_slli_epi16(c[2], 4), _mm256_slli_epi16(c[3], 6)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(tmp + 32 * h), packed);
      }
      return tmp;
    }
  }
  static float row_scale(const uint8_t* row, int64_t b) {
    return _cvtsh_ss(load_u16_at(block(row, b) + offsetof(Block, d)));
  }
  static const int8_t* column_block(const MatmulArgs& a, int64_t n, int64_t b, ColumnBlock& cb) {
    const uint8_t* xb = a.x.data + n * static_cast<int64_t>(a.x.col_bytes) + b * sizeof(block_q8_K);
    const int8_t* q = reinterpret_cast<const int8_t*>(xb + offsetof(block_q8_K, qs));
    cb.d = load_f32_at(xb);
    int32_t s = 0;
    for (int i = 0; i < kQK_K; ++i) s += q[i];
    cb.qsum = s;
    return q;
  }
  static __m512 block_end(__m512i acc, __m512 dw, const ColumnBlock& cb, __m512 facc) {
    const __m512i isum = _mm512_sub_epi32(acc, _mm512_set1_epi32(cb.qsum));
    const __m512 d = _mm512_mul_ps(dw, _mm512_set1_ps(cb.d));
    return _mm512_add_ps(facc, _mm512_mul_ps(_mm512_cvtepi32_ps(isum), d));
  }
  static __m512 finish(const MatmulArgs&, int64_t, __m512i, __m512 facc) { return facc; }
};

}  // namespace
}  // namespace bitnet::kernels
