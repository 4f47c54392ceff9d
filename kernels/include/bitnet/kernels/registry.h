// THE kernel registry: every kernel listed in kernels/kernels.inc, plus runtime selection.
//
// Selection (select_kernel / dispatch_kernel):
//  - With BITNET_ISA=<isa> (or an explicit pin): the static order below, restricted to kernels
//    whose ISA tag needs no feature beyond the pin's (kernel.h's tags are feature sets, see
//    cpu.h), kernels tagged exactly the pinned ISA first. Pinning an ISA the CPU lacks throws
//    std::runtime_error naming the ISA and the CPU's features; an unknown value throws listing
//    the valid ones.
//  - Else, unless BITNET_TUNE=off: the measured table (tuning.h) for op, format, column class,
//    thread count and weight residency (hot / cold: MatmulArgs::weights), made on first use on
//    this machine.
//  - Else the static order. Candidates are kernels of the requested op and format whose
//    features this CPU has (quant_act kernels match by activation type: TQ1_0 and TQ2_0 share
//    Q8_K). Ranked by, in turn:
//     1. tile fit: for n_cols == 1 a kernel with tile_n == 1 (a GEMV kernel); otherwise the
//        largest tile_n <= n_cols (if none fits, the smallest tile_n);
//     2. hand-written kernels before the portable *_xsimd tier before the scalar references;
//     3. the larger tile_m;
//     4. the ISA tag with more features;
//     5. the kernel listed first in kernels.inc.
//    This order needs no measurement and is what ties in the measured table fall back to; it
//    is not a claim that it is fastest on any CPU.
//  - Dense ops (is_dense_op) match by weight AND activation type (select_dense_kernel) and use
//    the static order with n_cols = 1 and the same BITNET_ISA pin (no measured table yet).
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

// See the rule at the top of this file; threads = the pool size the kernel will run with; shape:
// the matmul's M x K when known (the table's decision for that shape, if it has one).
// Throws std::invalid_argument when no kernel exists for op/wtype, std::runtime_error for a bad
// BITNET_ISA or BITNET_TUNE.
const KernelInfo& select_kernel(Op op, TypeId wtype, int64_t n_cols = 1, int threads = 1,
                                Residency weights = Residency::kHot, MatmulShape shape = {});
// Same with an explicit pin (nullopt = none) instead of BITNET_ISA (BITNET_TUNE still applies).
const KernelInfo& dispatch_kernel(Op op, TypeId wtype, int64_t n_cols, int threads,
                                  std::optional<Isa> pin, Residency weights = Residency::kHot,
                                  MatmulShape shape = {});
// The static order only (no table), with an explicit pin (nullopt = no pin); ignores the
// environment.
const KernelInfo& select_kernel_pinned(Op op, TypeId wtype, int64_t n_cols, std::optional<Isa> pin);
// True when the static order ranks a before b for n_cols columns (steps 1-4 above; under a pin,
// kernels of exactly the pinned ISA first).
bool static_order_before(const KernelInfo& a, const KernelInfo& b, int64_t n_cols,
                         std::optional<Isa> pin);

// Dense ops: the kernel for op and the type pair (e.g. kDot, kF16, kF32), by the same rule and pin.
// Throws std::invalid_argument when none exists, std::runtime_error for a bad BITNET_ISA.
const KernelInfo& select_dense_kernel(Op op, TypeId wtype, TypeId atype);
const KernelInfo& select_dense_kernel_pinned(Op op, TypeId wtype, TypeId atype,
                                             std::optional<Isa> pin);
// The scalar reference of a dense op and type pair (throws std::invalid_argument when none).
const KernelInfo& dense_reference_kernel(Op op, TypeId wtype, TypeId atype);

// ISA names: "scalar", "sse41", "avx2", "avx512", "avx512vnni".
// The ISA tags of this build's architecture only (isa_of_this_arch): x86-64
// "scalar|sse41|avx2|avx512|avx512vnni", aarch64 "scalar|neon|dotprod|i8mm".
std::optional<Isa> isa_from_name(std::string_view name);  // exact, case-insensitive
std::string valid_isa_names();

// BITNET_ISA from the environment (read on every call; unset or empty = nullopt). Throws
// std::runtime_error naming the bad value and the valid ones, or naming the ISA and the CPU
// features when the CPU cannot run the pinned ISA.
std::optional<Isa> isa_pin();
// The ISA the pin asks for, or best_cpu_isa() when unpinned.
Isa active_isa_pin();

}  // namespace bitnet
