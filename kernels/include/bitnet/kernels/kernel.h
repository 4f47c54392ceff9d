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

enum class Isa : int { kScalar = 0, kSse41, kAvx2, kAvx512, kAvx512Vnni, kCount };
std::string_view isa_name(Isa isa);  // "scalar", "sse41", "avx2", "avx512", "avx512vnni"

enum class Op : int { kMatmul = 0, kDequant, kQuantAct, kCount };
std::string_view op_name(Op op);  // "matmul", "dequant", "quant_act"

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

struct KernelInfo {
  std::string_view name;  // <op>_<weights>_<acts>_<tile_m>x<tile_n>__<isa>[_<impl>]
  Op op;
  TypeId wtype;  // weight format (kTQ2_0, kTQ1_0, kI2_S); for kQuantAct the format it feeds
  TypeId atype;  // activation type (kQ8_K or kI8 for I8_S; kF32 for dequant output)
  Isa isa;
  int tile_m;  // rows per tile (row ranges handed to this kernel start at multiples of it)
  int tile_n;  // activation columns per tile
  MatmulFn matmul = nullptr;
  DequantFn dequant = nullptr;
  QuantActFn quant_act = nullptr;
};

}  // namespace bitnet
