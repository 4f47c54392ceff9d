// Declarations of every kernel in kernels/kernels.inc, in namespace bitnet::kernels, each with
// the signature of its op. Include this where a kernel is defined, so a name or signature that
// disagrees with the list fails to compile.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bitnet/kernels/kernel.h"

namespace bitnet::kernels {

#define BITNET_DECL_kMatmul(name) void name(const MatmulArgs& args, int64_t m_begin, int64_t m_end);
#define BITNET_DECL_kDequant(name) \
  void name(const uint8_t* src, float* dst, int64_t n, float tensor_scale);
#define BITNET_DECL_kQuantAct(name) \
  void name(const float* x, int64_t K, uint8_t* dst, float* scale, int32_t* sum);
#define BITNET_DECL_kDot(name)                                                                     \
  void name(const void* w, size_t w_row_bytes, int64_t rows, const void* x, int64_t n, float* out, \
            const void* next);
#define BITNET_DECL_kAxpy(name) \
  void name(const float* p, const void* v, size_t v_row_bytes, int64_t rows, float* out, int64_t n);
#define BITNET_DECL_kWiden(name) void name(const void* src, float* dst, int64_t n);
#define BITNET_DECL_kRound(name) void name(const void* src, float* dst, int64_t n);
#define BITNET_DECL_kExpSum(name) double name(float* s, int64_t n, float max);
#define BITNET_DECL_kAttnQk(name)                                                         \
  void name(const float* q, int64_t heads, const void* k, size_t row_bytes, int64_t rows, \
            int64_t n, float scale, float* scores, int64_t score_stride);
#define BITNET_DECL_kAttnPv(name)                                                             \
  void name(const float* p, int64_t p_stride, int64_t heads, const void* v, size_t row_bytes, \
            int64_t rows, int64_t n, float* out, int64_t out_stride);
#define BITNET_KERNEL(name, op, wtype, atype, isa, tile_m, tile_n) BITNET_DECL_##op(name)
#include "kernels.inc"
#undef BITNET_KERNEL
#undef BITNET_DECL_kMatmul
#undef BITNET_DECL_kDequant
#undef BITNET_DECL_kQuantAct
#undef BITNET_DECL_kDot
#undef BITNET_DECL_kAxpy
#undef BITNET_DECL_kWiden
#undef BITNET_DECL_kRound
#undef BITNET_DECL_kExpSum
#undef BITNET_DECL_kAttnQk
#undef BITNET_DECL_kAttnPv

}  // namespace bitnet::kernels
