// The kernel contract: what every registered kernel computes, and how it is described.
// Every kernel is listed once in kernels/kernels.inc; tests, benchmarks and tools iterate that
// list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "bitnet/formats/types.h"

namespace bitnet {

// x86-64 tags, then aarch64 ones (kNeon: Advanced SIMD, kDotprod: + SDOT, kI8mm: + SMMLA). A build
// registers kernels of its own architecture only (kernels.inc).
enum class Isa : int {
  kScalar = 0,
  kSse41,
  kAvx2,
  kAvx512,
  kAvx512Vnni,
  kNeon,
  kDotprod,
  kI8mm,
  kCount
};
// "scalar", "sse41", "avx2", "avx512", "avx512vnni", "neon", "dotprod", "i8mm"
std::string_view isa_name(Isa isa);

// Ternary ops (matmul, dequant, quant_act) and the engine's dense ops (dot, axpy, widen, round,
// exp_sum: the f32/f16/Q6_K/Q8_0 linears, the lm_head and attention; attn_qk, attn_pv: attention's
// two passes streamed over an f16 KV cache).
enum class Op : int {
  kMatmul = 0,
  kDequant,
  kQuantAct,
  kDot,
  kAxpy,
  kWiden,
  kRound,
  kExpSum,
  kAttnQk,
  kAttnPv,
  kCount
};
std::string_view op_name(Op op);  // "matmul", "dequant", "quant_act", "dot", "axpy", ...
bool is_dense_op(Op op);          // kDot and after

// Activations quantized for one weight format, N columns (tokens) of K values each.
//  - Q8_K (TQ1_0/TQ2_0): column n is K/256 block_q8_K at data + n*col_bytes; scale/sum unused.
//  - I8_S (I2_S; type id kI8): column n is K int8 at data + n*col_bytes, q = round(x*scale[n]),
//    sum[n] = Σq (bitnet.cpp's quantize_row_i8_s).
struct QuantizedActs {
  TypeId type = TypeId::kQ8_K;
  int64_t K = 0;
  int64_t N = 0;
  const uint8_t* data = nullptr;
  size_t col_bytes = 0;
  const float* scale = nullptr;
  const int32_t* sum = nullptr;
};

// Where a matmul's weights come from. The fastest kernel differs: a GEMV over weights in cache
// is compute-bound, the same GEMV over weights streamed from DRAM is bound by the stream, and on
// some CPUs another kernel wins each (dispatch times both: kernels/tuning.h).
enum class Residency : uint8_t {
  kHot,   // in cache (a matrix used again soon, a model that fits the last-level cache)
  kCold,  // streamed from DRAM (a decode over a model larger than the last-level cache)
};
std::string_view residency_name(Residency r);  // "hot", "cold"

// The rows and depth of a matmul, for a dispatch table that decides per layer shape; {0, 0}:
// unknown (the decision made over all tuned shapes applies).
struct MatmulShape {
  int64_t M = 0, K = 0;
};

// y[n*y_col_stride + m] = Σ_k W[m][k] * x[n][k] for m in [m_begin, m_end), n in [0, N).
//  - W row m starts at w + m*w_row_bytes, in the weight format (TQ: K/256 blocks; I2_S: K/4 codes).
//  - w_scale is the I2_S per-tensor scale (1 for TQ formats, whose scales live in the blocks).
struct MatmulArgs {
  TypeId wtype = TypeId::kTQ2_0;
  const uint8_t* w = nullptr;
  size_t w_row_bytes = 0;
  float w_scale = 1.0f;
  int64_t M = 0;
  int64_t K = 0;
  QuantizedActs x;
  float* y = nullptr;
  int64_t y_col_stride = 0;
  Residency weights = Residency::kHot;  // only dispatch reads it (matmul() without a kernel)
};

// Computes output rows [m_begin, m_end) for every column. Callers split rows across threads
// at multiples of the kernel's tile_m (m_end need not be one: kernels handle the tail), so any
// thread count gives identical results.
//
// Exact result contract (every kernel must produce these f32 values BIT FOR BIT; see
// docs/kernels.md "Correctness"). No FMA contraction: the library builds with -ffp-contract=off.
//  TQ1_0/TQ2_0 x Q8_K, per output (m, n), blocks b = 0..K/256-1 in order:
//    isum_b = Σ_{i<256} q_x[i] * (c_w[i] - 1)            (exact int32)
//    d_b    = fp16_to_fp32(w.d) * x.d                    (one f32 multiply, this order)
//    acc    = acc + (float)isum_b * d_b                  (acc starts at 0.0f)
//    y      = acc
//  I2_S x I8_S, per output (m, n):
//    isum = Σ_{k<K} c_w[k] * q_x[k]   (codes c in {0,1,2}, exact int32)
//    y    = (((float)isum - (float)sum[n]) / scale[n]) * w_scale
//  (llama.cpp's ggml_vec_dot_tq*_q8_K_generic and bitnet.cpp's ggml_compute_forward_mul_mat.)
using MatmulFn = void (*)(const MatmulArgs& args, int64_t m_begin, int64_t m_end);

// Dequantizes n elements (a multiple of the format's block) at src into dst.
// tensor_scale is the I2_S per-tensor scale (ignored by formats with in-block scales).
using DequantFn = void (*)(const uint8_t* src, float* dst, int64_t n, float tensor_scale);

// Quantizes one activation column of K floats. Q8_K: writes K/256 blocks to dst; scale/sum unused.
// I8_S: writes K int8 to dst, *scale = s (127/absmax), *sum = Σq.
using QuantActFn = void (*)(const float* x, int64_t K, uint8_t* dst, float* scale, int32_t* sum);

// Dense ops. Each kernel follows the arithmetic of the ggml function named in kernels.inc; where
// its ISA sums in another order than the scalar reference (f32/f16 dots, axpy, exp_sum), the
// exact contract is stated there and tests/test_kernels_dense.cc checks it bit for bit.
//
// out[r] = Σ_i W_r[i] * x[i] for rows r < rows, row r at w + r*w_row_bytes in the weight type, x
// in the activation type, n elements (a multiple of the block for block formats). `next` (may be
// null): where the caller reads next (the following rows), prefetched over the call.
using DotFn = void (*)(const void* w, size_t w_row_bytes, int64_t rows, const void* x, int64_t n,
                       float* out, const void* next);
// out[i] += p[t] * V_t[i] for rows t = 0..rows-1 in order, row t at v + t*v_row_bytes.
using AxpyFn = void (*)(const float* p, const void* v, size_t v_row_bytes, int64_t rows, float* out,
                        int64_t n);
// widen: dst[i] = f32(src[i]) (exact). round: dst[i] = f32(f16(src[i])) for f32 src, round to
// nearest even (src may equal dst).
using ConvertFn = void (*)(const void* src, float* dst, int64_t n);
// s[t] = exp(s[t] - max) for t < n; returns Σ s[t] summed in double in order.
using ExpSumFn = double (*)(float* s, int64_t n, float max);
// Attention's passes over f16 K/V rows (row t at k + t*row_bytes), for `heads` query heads that
// share them (a GQA group), each row widened to f32 once for all of them. n: a multiple of 16.
//  qk: scores[j*score_stride + t] = dot(q + j*n, K_t) * scale for t < rows, the dot in
//      ggml_vec_dot_f16's AVX2 order (dense_check.h: dot_in_avx2_order).
//  pv: out[j*out_stride + d] = fma(p[j*p_stride + t], V_t[d], out[...]) for t = 0..rows-1 in
//      order, d < n (the AVX2 axpy of each row, continuing what out holds).
inline constexpr int64_t kAttnMaxDim = 512;  // n at most
using AttnQkFn = void (*)(const float* q, int64_t heads, const void* k, size_t row_bytes,
                          int64_t rows, int64_t n, float scale, float* scores,
                          int64_t score_stride);
using AttnPvFn = void (*)(const float* p, int64_t p_stride, int64_t heads, const void* v,
                          size_t row_bytes, int64_t rows, int64_t n, float* out,
                          int64_t out_stride);

struct KernelInfo {
  std::string_view name;  // <op>_<weights>_<acts>_<tile_m>x<tile_n>__<isa>[_<impl>]
  Op op;
  TypeId wtype;  // weight format (kTQ2_0, kTQ1_0, kI2_S); for kQuantAct the format it feeds;
                 // dense ops: the stored type (dot weights, axpy rows, widen/round: f16)
  TypeId atype;  // activation type (kQ8_K or kI8 for I8_S; kF32 for dequant output and the
                 // f32 side of dense ops)
  Isa isa;
  int tile_m;  // rows per tile (row ranges handed to this kernel start at multiples of it)
  int tile_n;  // activation columns per tile
  MatmulFn matmul = nullptr;
  DequantFn dequant = nullptr;
  QuantActFn quant_act = nullptr;
  DotFn dot = nullptr;
  AxpyFn axpy = nullptr;
  ConvertFn convert = nullptr;  // kWiden and kRound
  ExpSumFn exp_sum = nullptr;
  AttnQkFn attn_qk = nullptr;
  AttnPvFn attn_pv = nullptr;
};

}  // namespace bitnet
