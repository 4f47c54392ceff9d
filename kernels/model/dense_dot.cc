#include "dense_dot.h"

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::model::detail {

DenseKernels dense_kernels() {
  const auto pin = isa_pin();
  const auto pick = [&](Op op, TypeId w, TypeId a) -> const KernelInfo& {
    return select_dense_kernel_pinned(op, w, a, pin);
  };
  return DenseKernels{
      pick(Op::kDot, TypeId::kF32, TypeId::kF32).dot,
      pick(Op::kDot, TypeId::kF16, TypeId::kF16).dot,
      pick(Op::kDot, TypeId::kF16, TypeId::kF32).dot,
      pick(Op::kDot, TypeId::kQ6_K, TypeId::kQ8_K).dot,
      pick(Op::kDot, TypeId::kQ8_0, TypeId::kQ8_0).dot,
      pick(Op::kDot, TypeId::kQ4_0, TypeId::kQ8_0).dot,
      pick(Op::kAxpy, TypeId::kF32, TypeId::kF32).axpy,
      pick(Op::kWiden, TypeId::kF16, TypeId::kF32).convert,
      pick(Op::kRound, TypeId::kF16, TypeId::kF32).convert,
      pick(Op::kExpSum, TypeId::kF32, TypeId::kF32).exp_sum,
      pick(Op::kAttnQk, TypeId::kF16, TypeId::kF32).attn_qk,
      pick(Op::kAttnPv, TypeId::kF16, TypeId::kF32).attn_pv,
  };
}

void quantize_q8_0(const float* x, block_q8_0* y, int64_t n) {
  bitnet::quantize_row_q8_0_ggml_x86(x, y, n);  // what llama.cpp's x86 builds feed Q4_0/Q8_0
}

}  // namespace bitnet::model::detail
