// The engine's dense kernels: the registry's dot / axpy / widen / round / exp_sum / attn_qk /
// attn_pv kernels (kernels.inc, "Dense kernels") the linear and attention code call, chosen by the
// registry's rule and the BITNET_ISA pin like the ternary kernels.
#pragma once

#include <cstdint>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/kernel.h"

namespace bitnet::model::detail {

struct DenseKernels {
  DotFn dot_f32;      // F32 weights (the F32 model's linears) and attention's K rows
  DotFn dot_f16;      // F16 weights x F16 activations
  DotFn dot_f16_f32;  // F16 weights x F16 activations given widened to f32 (same bits as dot_f16)
  DotFn dot_q6k;      // Q6_K weights x Q8_K activations (a Q6_K lm_head)
  DotFn dot_q8_0;     // Q8_0 weights x Q8_0 activations
  DotFn dot_q4_0;     // Q4_0 weights x Q8_0 activations
  AxpyFn axpy_f32;    // attention's weighted sum over V rows
  ConvertFn widen_f16;
  ConvertFn round_f16;
  ExpSumFn exp_sum;  // the softmax exponentials
  AttnQkFn attn_qk;  // attention's scores over an f16 KV cache
  AttnPvFn attn_pv;  // attention's weighted sum of f16 V rows
};

// Selected on every call (the pin is read from the environment each time, so tests may change it).
// Throws std::runtime_error for a bad BITNET_ISA.
DenseKernels dense_kernels();

// The Q8_0 activations of Q4_0/Q8_0 weights: ggml-cpu's quantize_row_q8_0 on x86
// (bitnet::quantize_row_q8_0_ggml_x86): d = amax/127 as f16, q = round-even(x * 127/amax).
void quantize_q8_0(const float* x, block_q8_0* y, int64_t n);

}  // namespace bitnet::model::detail
