// The exact contracts of the dense kernels (kernels.inc, "Dense kernels") as a check: runs a
// kernel on a few shapes of random data and compares with what its contract says, bit for bit
// where the contract is exact. Used by tests/test_kernels_dense.cc and `bitnet-kernels check`.
#pragma once

#include <string>
#include <vector>

#include "bitnet/kernels/kernel.h"

namespace bitnet {

// Appends one line per shape ("ok   <what>" or "FAIL <what>: <why>") and returns false on any
// failure. The kernel must be available on this CPU and of a dense op.
bool check_dense_kernel(const KernelInfo& k, std::vector<std::string>& lines);

// ggml_vec_dot_f16's AVX2 summation order over n elements of f32 values (f16 widened exactly):
// four 8-lane fused multiply-add accumulators over 32-element steps, summed (a0 + a1) + (a2 + a3),
// the 8 lanes reduced by halves, then the tail in order with a multiply and an add. The model of
// the AVX2 dots' bits.
float dot_in_avx2_order(const float* w, const float* x, int64_t n);

}  // namespace bitnet
