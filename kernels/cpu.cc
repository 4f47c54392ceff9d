// The feature-set model shared by every architecture: which features an ISA tag's files are
// compiled for, and whether this CPU runs them. Detection is per architecture (cpu_x86.cc,
// cpu_aarch64.cc, cpu_generic.cc).
#include "bitnet/kernels/cpu.h"

#include <bit>
#include <string>
#include <utility>

namespace bitnet {

uint32_t isa_features(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return 0;
    case Isa::kSse41:
      return kFeatSse41;
    case Isa::kAvx2:
      return kFeatSse41 | kFeatAvx2;
    case Isa::kAvx512:
      return kFeatSse41 | kFeatAvx2 | kFeatAvx512;
    case Isa::kAvx512Vnni:
      return kFeatSse41 | kFeatAvx2 | kFeatAvx512 | kFeatAvx512Vnni;
    case Isa::kNeon:
      return kFeatNeon;
    case Isa::kDotprod:
      return kFeatNeon | kFeatDotprod;
    case Isa::kI8mm:
      return kFeatNeon | kFeatDotprod | kFeatI8mm;
    case Isa::kCount:
      break;
  }
  return ~0u;  // not an ISA: nothing runs it
}

bool isa_of_this_arch(Isa isa) {
  return (isa_features(isa) & ~arch_feature_bits()) == 0;
}

std::string feature_names(uint32_t bits) {
  const std::pair<uint32_t, const char*> names[] = {
      {kFeatSse41, "sse41"},           {kFeatAvx2, "avx2"},       {kFeatAvx512, "avx512"},
      {kFeatAvx512Vnni, "avx512vnni"}, {kFeatAvxVnni, "avxvnni"}, {kFeatNeon, "neon"},
      {kFeatDotprod, "dotprod"},       {kFeatI8mm, "i8mm"},       {kFeatSve, "sve"}};
  std::string out;
  for (const auto& [bit, name] : names)
    if (bits & bit) {
      if (!out.empty()) out += '+';
      out += name;
    }
  return out.empty() ? "none" : out;
}

bool cpu_has(Isa isa) {
  return (isa_features(isa) & ~cpu_feature_bits()) == 0;
}

Isa best_cpu_isa() {
  Isa best = Isa::kScalar;
  for (int i = 1; i < static_cast<int>(Isa::kCount); ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (cpu_has(isa) && std::popcount(isa_features(isa)) > std::popcount(isa_features(best)))
      best = isa;
  }
  return best;
}

}  // namespace bitnet
