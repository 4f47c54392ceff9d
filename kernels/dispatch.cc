// Runtime kernel selection: the static order, the BITNET_ISA pin and the measured table
// (rules documented in registry.h).
// Compiled with baseline flags only: nothing here may execute an instruction of a pinned ISA.
#include <bit>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/tuning.h"

namespace bitnet {
namespace {

// atype: dense ops only (nullopt for the ternary ops, whose activation type follows the format).
bool matches(const KernelInfo& k, Op op, TypeId wtype, std::optional<TypeId> atype = std::nullopt) {
  if (k.op != op) return false;
  if (atype) return k.wtype == wtype && k.atype == *atype;
  // quant_act kernels serve every format that consumes their activation type.
  if (op == Op::kQuantAct) return k.atype == act_type_for(wtype);
  return k.wtype == wtype;
}
std::string type_name(TypeId t) {
  const auto tr = type_traits(static_cast<uint32_t>(t));
  return tr ? std::string(tr->name) : "id " + std::to_string(static_cast<uint32_t>(t));
}

// Hand-tuned kernels before the portable xsimd tier before the scalar references.
int tier(const KernelInfo& k) {
  if (k.isa == Isa::kScalar) return 0;
  return k.name.ends_with("_xsimd") ? 1 : 2;
}

// Kernel a's features are a subset of the pin's (what "at or below the pin" means for sets).
bool within(Isa a, Isa pin) {
  return (isa_features(a) & ~isa_features(pin)) == 0;
}

}  // namespace

std::optional<Isa> isa_from_name(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < static_cast<int>(Isa::kCount); ++i)
    if (isa_of_this_arch(static_cast<Isa>(i)) && isa_name(static_cast<Isa>(i)) == lower)
      return static_cast<Isa>(i);
  return std::nullopt;
}

std::string valid_isa_names() {
  std::string s;
  for (int i = 0; i < static_cast<int>(Isa::kCount); ++i) {
    if (!isa_of_this_arch(static_cast<Isa>(i))) continue;
    if (!s.empty()) s += '|';
    s += isa_name(static_cast<Isa>(i));
  }
  return s;
}

std::optional<Isa> isa_pin() {
  const char* v = std::getenv("BITNET_ISA");
  if (v == nullptr || *v == '\0') return std::nullopt;
  const auto isa = isa_from_name(v);
  if (!isa)
    throw std::runtime_error("BITNET_ISA='" + std::string(v) +
                             "' is not an ISA; valid values: " + valid_isa_names());
  if (!cpu_has(*isa))
    throw std::runtime_error("BITNET_ISA=" + std::string(isa_name(*isa)) + ": this CPU (" +
                             cpu_model_name() + ") cannot run " + std::string(isa_name(*isa)) +
                             " kernels; its features: " + cpu_features_string());
  return isa;
}

Isa active_isa_pin() {
  const auto pin = isa_pin();
  return pin ? *pin : best_cpu_isa();
}

bool static_order_before(const KernelInfo& a, const KernelInfo& b, int64_t n_cols,
                         std::optional<Isa> pin) {
  if (pin && (a.isa == *pin) != (b.isa == *pin)) return a.isa == *pin;
  if (n_cols <= 1) {
    const bool ga = a.tile_n == 1, gb = b.tile_n == 1;
    if (ga != gb) return ga;
  } else {
    const bool fa = a.tile_n <= n_cols, fb = b.tile_n <= n_cols;
    if (fa != fb) return fa;
    if (a.tile_n != b.tile_n) return fa ? a.tile_n > b.tile_n : a.tile_n < b.tile_n;
  }
  if (tier(a) != tier(b)) return tier(a) > tier(b);
  if (a.tile_m != b.tile_m) return a.tile_m > b.tile_m;
  const int fa = std::popcount(isa_features(a.isa)), fb = std::popcount(isa_features(b.isa));
  return fa > fb;
}

namespace {

// The static order of registry.h for every op; atype: see matches().
const KernelInfo& select(Op op, TypeId wtype, std::optional<TypeId> atype, int64_t n_cols,
                         std::optional<Isa> pin) {
  if (pin && !cpu_has(*pin))
    throw std::runtime_error("ISA pin " + std::string(isa_name(*pin)) + ": this CPU (" +
                             cpu_model_name() +
                             ") cannot run it; its features: " + cpu_features_string());
  const KernelInfo* best = nullptr;
  for (const KernelInfo& k : all_kernels()) {
    if (!matches(k, op, wtype, atype) || !cpu_has(k.isa) || (pin && !within(k.isa, *pin))) continue;
    if (best == nullptr || static_order_before(k, *best, n_cols, pin)) best = &k;
  }
  if (best == nullptr)
    throw std::invalid_argument("no " + std::string(op_name(op)) + " kernel for " +
                                type_name(wtype) + (atype ? " x " + type_name(*atype) : "") +
                                " runs on this CPU");
  return *best;
}

const KernelInfo& reference(Op op, TypeId wtype, std::optional<TypeId> atype) {
  for (const KernelInfo& k : all_kernels())
    if (matches(k, op, wtype, atype) && k.isa == Isa::kScalar && k.tile_m == 1 && k.tile_n == 1)
      return k;
  throw std::invalid_argument("no scalar reference " + std::string(op_name(op)) + " kernel for " +
                              type_name(wtype) + (atype ? " x " + type_name(*atype) : ""));
}

}  // namespace

const KernelInfo& select_kernel_pinned(Op op, TypeId wtype, int64_t n_cols,
                                       std::optional<Isa> pin) {
  return select(op, wtype, std::nullopt, n_cols, pin);
}

const KernelInfo& dispatch_kernel(Op op, TypeId wtype, int64_t n_cols, int threads,
                                  std::optional<Isa> pin, Residency weights, MatmulShape shape) {
  // A pin is an explicit request: it bypasses the measured table.
  if (pin || !tuning_enabled()) return select_kernel_pinned(op, wtype, n_cols, pin);
  (void)act_type_for(wtype);  // the same error as the static path for a non-ternary format
  return TuningTable::instance().choose(op, wtype, n_cols, threads, weights, shape);
}

const KernelInfo& select_kernel(Op op, TypeId wtype, int64_t n_cols, int threads, Residency weights,
                                MatmulShape shape) {
  return dispatch_kernel(op, wtype, n_cols, threads, isa_pin(), weights, shape);
}

const KernelInfo& reference_kernel(Op op, TypeId wtype) {
  return reference(op, wtype, std::nullopt);
}

const KernelInfo& select_dense_kernel_pinned(Op op, TypeId wtype, TypeId atype,
                                             std::optional<Isa> pin) {
  return select(op, wtype, atype, 1, pin);
}

const KernelInfo& select_dense_kernel(Op op, TypeId wtype, TypeId atype) {
  return select(op, wtype, atype, 1, isa_pin());
}

const KernelInfo& dense_reference_kernel(Op op, TypeId wtype, TypeId atype) {
  return reference(op, wtype, atype);
}

}  // namespace bitnet
