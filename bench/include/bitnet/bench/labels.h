// Labels in benchmark names: lower-case format names and a kernel's implementation segment.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "bitnet/formats/types.h"
#include "bitnet/kernels/kernel.h"

namespace bitnet::bench {

// Lower-case type labels used in names: "tq2_0", "tq1_0", "i2_s", "q8_k", "i8_s", "f32", "f16".
std::string type_label(TypeId t);

// The implementation segment of a kernel's benchmark rows: its registry name, e.g.
// "gemv/tq2_0/matmul_tq2_0_q8k_4x1__avx2/...". It depends on the kernel alone, so adding a kernel
// never renames another kernel's rows (stored histories and nightly diffs stay comparable).
// Rows that go through select_kernel() carry "dispatch" instead.
std::string impl_label(const KernelInfo& k);

// The ternary formats benchmarked, in name order of the tables.
std::span<const TypeId> weight_formats();
// The block K must be a multiple of for a format (TQ: 256, I2_S: 128).
int64_t k_block(TypeId wtype);

}  // namespace bitnet::bench
