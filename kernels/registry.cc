// The table built from kernels.inc, lookups by name, and the enum names.
#include "bitnet/kernels/registry.h"

#include <array>
#include <stdexcept>
#include <string>

#include "bitnet/kernels/cpu.h"
#include "kernels_decl.h"

namespace bitnet {
namespace {

// The function goes to the KernelInfo field of its op (matmul, dequant, quant_act, dot, axpy,
// convert, exp_sum, attn_qk, attn_pv).
#define BITNET_FNS_kMatmul(name) \
  &kernels::name, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr
#define BITNET_FNS_kDequant(name) \
  nullptr, &kernels::name, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr
#define BITNET_FNS_kQuantAct(name) \
  nullptr, nullptr, &kernels::name, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr
#define BITNET_FNS_kDot(name) \
  nullptr, nullptr, nullptr, &kernels::name, nullptr, nullptr, nullptr, nullptr, nullptr
#define BITNET_FNS_kAxpy(name) \
  nullptr, nullptr, nullptr, nullptr, &kernels::name, nullptr, nullptr, nullptr, nullptr
#define BITNET_FNS_kWiden(name) \
  nullptr, nullptr, nullptr, nullptr, nullptr, &kernels::name, nullptr, nullptr, nullptr
#define BITNET_FNS_kRound(name) \
  nullptr, nullptr, nullptr, nullptr, nullptr, &kernels::name, nullptr, nullptr, nullptr
#define BITNET_FNS_kExpSum(name) \
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &kernels::name, nullptr, nullptr
#define BITNET_FNS_kAttnQk(name) \
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &kernels::name, nullptr
#define BITNET_FNS_kAttnPv(name) \
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &kernels::name
#define BITNET_KERNEL(name, op, wtype, atype, isa, tile_m, tile_n) \
  KernelInfo{#name,    Op::op, TypeId::wtype, TypeId::atype,       \
             Isa::isa, tile_m, tile_n,        BITNET_FNS_##op(name)},
constexpr KernelInfo kKernels[] = {
#include "kernels.inc"
};
#undef BITNET_KERNEL
#undef BITNET_FNS_kMatmul
#undef BITNET_FNS_kDequant
#undef BITNET_FNS_kQuantAct
#undef BITNET_FNS_kDot
#undef BITNET_FNS_kAxpy
#undef BITNET_FNS_kWiden
#undef BITNET_FNS_kRound
#undef BITNET_FNS_kExpSum
#undef BITNET_FNS_kAttnQk
#undef BITNET_FNS_kAttnPv

// Catch list mistakes at compile time: duplicate names, bad tiles, op/function mismatch.
constexpr bool table_is_consistent() {
  for (size_t i = 0; i < std::size(kKernels); ++i) {
    const KernelInfo& k = kKernels[i];
    if (k.tile_m < 1 || k.tile_n < 1) return false;
    for (size_t j = i + 1; j < std::size(kKernels); ++j)
      if (kKernels[j].name == k.name) return false;
  }
  return true;
}
static_assert(table_is_consistent(), "kernels.inc: duplicate name or tile < 1");

}  // namespace

std::string_view residency_name(Residency r) {
  return r == Residency::kCold ? "cold" : "hot";
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kSse41:
      return "sse41";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx512Vnni:
      return "avx512vnni";
    case Isa::kNeon:
      return "neon";
    case Isa::kDotprod:
      return "dotprod";
    case Isa::kI8mm:
      return "i8mm";
    case Isa::kCount:
      break;
  }
  return "unknown";
}

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kMatmul:
      return "matmul";
    case Op::kDequant:
      return "dequant";
    case Op::kQuantAct:
      return "quant_act";
    case Op::kDot:
      return "dot";
    case Op::kAxpy:
      return "axpy";
    case Op::kWiden:
      return "widen";
    case Op::kRound:
      return "round";
    case Op::kExpSum:
      return "exp_sum";
    case Op::kAttnQk:
      return "attn_qk";
    case Op::kAttnPv:
      return "attn_pv";
    case Op::kCount:
      break;
  }
  return "unknown";
}

bool is_dense_op(Op op) {
  return static_cast<int>(op) >= static_cast<int>(Op::kDot);
}

std::span<const KernelInfo> all_kernels() {
  return kKernels;
}

const KernelInfo* find_kernel(std::string_view name) {
  for (const KernelInfo& k : kKernels)
    if (k.name == name) return &k;
  return nullptr;
}

bool kernel_available(const KernelInfo& k) {
  return cpu_has(k.isa);
}

TypeId act_type_for(TypeId wtype) {
  const auto t = type_traits(wtype);
  if (t && t->act_type) return *t->act_type;
  throw std::invalid_argument(
      "no ternary matmul for weight type " +
      std::string(t ? t->name : std::to_string(static_cast<uint32_t>(wtype))) +
      " (supported: TQ1_0, TQ2_0, I2_S)");
}

}  // namespace bitnet
