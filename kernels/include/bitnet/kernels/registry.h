// THE kernel registry: every kernel listed in kernels/kernels.inc, plus runtime selection.
//
// Selection rule (select_kernel):
//  1. Candidates are kernels of the requested op and format whose ISA this CPU runs
//     (quant_act kernels match by activation type: TQ1_0 and TQ2_0 share Q8_K).
//  2. Without a pin, the highest ISA wins. With BITNET_ISA=<isa>, kernels of exactly that ISA
//     win; if that op/format has no kernel at the pinned ISA, the highest ISA BELOW the pin is
//     used (never one above it). Pinning an ISA the CPU lacks throws std::runtime_error naming
//     the ISA and the CPU's features; an unknown value throws listing the valid ones.
//     Dense ops (is_dense_op) match by weight AND activation type (select_dense_kernel); the
//     same ISA rule and the same BITNET_ISA pin apply.
//  3. Within that ISA: for n_cols == 1 a kernel with tile_n == 1 (a GEMV kernel) is preferred;
//     otherwise the largest tile_n <= n_cols; then the larger tile_m; then the kernel listed
//     first in kernels.inc.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bitnet/kernels/kernel.h"

namespace bitnet {

// Every registered kernel in kernels.inc order (available on this CPU or not).
std::span<const KernelInfo> all_kernels();

// The kernel with this exact name, or nullptr.
const KernelInfo* find_kernel(std::string_view name);

// True when this CPU runs the kernel's ISA (cpu_has(k.isa)).
bool kernel_available(const KernelInfo& k);

// The exact scalar reference for an op and weight format (ISA kScalar, tile 1x1).
// Throws std::invalid_argument when none exists (e.g. an op/format pair we do not support).
const KernelInfo& reference_kernel(Op op, TypeId wtype);

// The activation type a weight format's matmul consumes: kQ8_K for TQ1_0/TQ2_0, kI8 (I8_S) for
// I2_S. Throws std::invalid_argument for other formats.
TypeId act_type_for(TypeId wtype);

// See the rule at the top of this file. Throws std::invalid_argument when no kernel exists for
// op/wtype, std::runtime_error for a bad BITNET_ISA.
const KernelInfo& select_kernel(Op op, TypeId wtype, int64_t n_cols = 1);
// Same with an explicit pin (nullopt = no pin); ignores the environment.
const KernelInfo& select_kernel_pinned(Op op, TypeId wtype, int64_t n_cols, std::optional<Isa> pin);

// Dense ops: the kernel for op and the type pair (e.g. kDot, kF16, kF32), by the same rule and pin.
// Throws std::invalid_argument when none exists, std::runtime_error for a bad BITNET_ISA.
const KernelInfo& select_dense_kernel(Op op, TypeId wtype, TypeId atype);
const KernelInfo& select_dense_kernel_pinned(Op op, TypeId wtype, TypeId atype,
                                             std::optional<Isa> pin);
// The scalar reference of a dense op and type pair (throws std::invalid_argument when none).
const KernelInfo& dense_reference_kernel(Op op, TypeId wtype, TypeId atype);

// ISA names: "scalar", "sse41", "avx2", "avx512", "avx512vnni".
std::optional<Isa> isa_from_name(std::string_view name);  // exact, case-insensitive
std::string valid_isa_names();                            // "scalar|sse41|avx2|avx512|avx512vnni"

// BITNET_ISA from the environment (read on every call; unset or empty = nullopt). Throws
// std::runtime_error naming the bad value and the valid ones, or naming the ISA and the CPU
// features when the CPU cannot run the pinned ISA.
std::optional<Isa> isa_pin();
// The ISA the pin asks for, or best_cpu_isa() when unpinned.
Isa active_isa_pin();

}  // namespace bitnet
