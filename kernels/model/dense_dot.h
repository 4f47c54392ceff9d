// Dot products the ternary kernel registry does not cover: F32/F16 weights (the F32 model, the F16
// lm_head), Q6_K and Q8_0 embeddings used as lm_head, and the f16 KV-cache loops of attention.
// Each follows the arithmetic of the ggml function named beside it, so logits track llama.cpp's.
#pragma once

#include <cstdint>

#include "bitnet/formats/blocks.h"

namespace bitnet::model::detail {

struct DotFns {
  const char* isa;  // "avx2" or "scalar"
  // Σ w[i]*x[i] in f32 (ggml_vec_dot_f32).
  float (*dot_f32)(const float* w, const float* x, int64_t n);
  // Σ w[i]*x[i], both f16, products and sums in f32 (ggml_vec_dot_f16).
  float (*dot_f16)(const fp16_t* w, const fp16_t* x, int64_t n);
  // dot_f16 of two weight rows against x16 given widened to f32 (xw[i] = f32(x16[i]), exact):
  // the same products and summation order as dot_f16 per row, so bit-identical results, but x is
  // converted once per token instead of once per row, and its loads are shared by the two rows.
  // The lm_head (128k rows) is the largest stream of a decode step. `next` (may be null) is the
  // start of the 4*n bytes the caller reads next (the following row pair): they are prefetched
  // spread over this call, so the DRAM stream runs ahead one pair (see dense_dot_avx2.cc).
  void (*dot2_f16_f32)(const fp16_t* w0, const fp16_t* w1, const float* xw, int64_t n, float* out,
                       const void* next);
  // Q6_K weights · Q8_K activations over nb blocks (ggml_vec_dot_q6_K_q8_K): exact int32 per
  // block, then acc += (d_w * d_x) * isum in block order.
  // `next` (may be null): the row the caller reads next, prefetched over this call (as dot2).
  float (*dot_q6k_q8k)(const block_q6_K* w, const block_q8_K* x, int64_t nb, const void* next);
  // out[i] += a * v[i] with v in f16 (attention's weighted sum over V).
  void (*axpy_f16)(float a, const fp16_t* v, float* out, int64_t n);
  // axpy_f16 of a row already widened to f32: the same bits (attention widens a V row once for
  // the query heads that share it).
  void (*axpy_f32)(float a, const float* v, float* out, int64_t n);
  // dst[i] = f32(src[i]) (exact).
  void (*widen_f16)(const fp16_t* src, float* dst, int64_t n);
  // Attention over a block of cache rows (row t at rows + t*stride), count rows:
  //  dot_f32_rows:  out[t] = dot_f32(row t, x, n), bit for bit.
  //  axpy_rows_f32: for t in order, axpy_f32(p[t], row t, out, n), bit for bit.
  void (*dot_f32_rows)(const float* rows, int64_t stride, int64_t count, const float* x, int64_t n,
                       float* out);
  void (*axpy_rows_f32)(const float* p, const float* rows, int64_t stride, int64_t count,
                        float* out, int64_t n);
  // s[t] = exp(s[t] - max) for t < n, returning Σ s[t] summed in double in order (the softmax of
  // ggml_vec_soft_max_f32). AVX2: a Cephes-style expf in 8 lanes (≤ 2 ulp from libm; 0 below
  // e^-87.3) where ggml uses its own vectorized expf; scalar: std::exp.
  double (*exp_sum)(float* s, int64_t n, float max);
  // x[i] = f32(f16(x[i])), round to nearest even (ggml's f16 rounding of the softmax weights).
  void (*round_f16)(float* x, int64_t n);
};

// AVX2+FMA+F16C versions when the CPU has them and BITNET_ISA does not pin below avx2.
const DotFns& dot_fns();
const DotFns& dot_fns_scalar();
const DotFns* dot_fns_avx2();  // nullptr when not compiled in

// Q8_0 weights · Q8_0 activations (ggml_vec_dot_q8_0_q8_0): per block int32, then
// acc += (d_w * d_x) * isum. Scalar only (Q8_0 embeddings are rare).
float dot_q8_0_q8_0(const block_q8_0* w, const block_q8_0* x, int64_t nb);
// ggml's quantize_row_q8_0_ref (bitnet::quantize_row_q8_0): d = amax/127 as f16, q = roundf(x/d).
void quantize_q8_0(const float* x, block_q8_0* y, int64_t n);

}  // namespace bitnet::model::detail
