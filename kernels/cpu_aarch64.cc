// CPU feature detection on aarch64 Linux: the kernel's HWCAP/HWCAP2 bits (getauxval), which also
// say the OS enables them; the model from MIDR_EL1, which Linux (and QEMU user mode) emulate for
// EL0 reads when HWCAP_CPUID is set.
#include <sys/auxv.h>

#include <cstdint>
#include <string>
#include <utility>

#include "bitnet/kernels/cpu.h"

namespace bitnet {
namespace {

// The Linux uapi values (asm/hwcap.h), spelled out so older headers still build.
constexpr unsigned long kHwcapAsimd = 1ul << 1;
constexpr unsigned long kHwcapCpuid = 1ul << 11;
constexpr unsigned long kHwcapAsimdhp = 1ul << 10;
constexpr unsigned long kHwcapAsimddp = 1ul << 20;
constexpr unsigned long kHwcapSve = 1ul << 22;
constexpr unsigned long kHwcap2I8mm = 1ul << 13;

CpuFeatures detect() {
  CpuFeatures f;
  const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  f.asimd = hw & kHwcapAsimd;
  f.asimdhp = hw & kHwcapAsimdhp;
  f.asimddp = hw & kHwcapAsimddp;
  f.sve = hw & kHwcapSve;
  f.i8mm = hw2 & kHwcap2I8mm;
  return f;
}

const char* implementer_name(unsigned id) {
  switch (id) {
    case 0x41:
      return "ARM";
    case 0x42:
      return "Broadcom";
    case 0x46:
      return "Fujitsu";
    case 0x48:
      return "HiSilicon";
    case 0x4e:
      return "NVIDIA";
    case 0x51:
      return "Qualcomm";
    case 0x61:
      return "Apple";
    case 0xc0:
      return "Ampere";
  }
  return nullptr;
}

const char* arm_part_name(unsigned part) {
  switch (part) {
    case 0xd03:
      return "Cortex-A53";
    case 0xd05:
      return "Cortex-A55";
    case 0xd08:
      return "Cortex-A72";
    case 0xd0b:
      return "Cortex-A76";
    case 0xd0c:
      return "Neoverse-N1";
    case 0xd40:
      return "Neoverse-V1";
    case 0xd49:
      return "Neoverse-N2";
    case 0xd4f:
      return "Neoverse-V2";
  }
  return nullptr;
}

std::string hex(unsigned v) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 15]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

uint32_t arch_feature_bits() {
  return kFeatNeon | kFeatDotprod | kFeatI8mm | kFeatSve;
}

uint32_t cpu_feature_bits() {
  const CpuFeatures& f = cpu_features();
  uint32_t bits = 0;
  if (f.asimd) bits |= kFeatNeon;
  if (f.asimd && f.asimddp) bits |= kFeatDotprod;
  if (f.asimd && f.i8mm) bits |= kFeatI8mm;
  if (f.sve) bits |= kFeatSve;
  return bits;
}

std::string cpu_model_name() {
  if (!(getauxval(AT_HWCAP) & kHwcapCpuid)) return "unknown";
  uint64_t midr = 0;
  __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
  const unsigned implementer = (midr >> 24) & 0xff, part = (midr >> 4) & 0xfff;
  const char* who = implementer_name(implementer);
  const char* what = implementer == 0x41 ? arm_part_name(part) : nullptr;
  return std::string(who ? who : "implementer " + hex(implementer)) + " " +
         (what ? std::string(what) : "part " + hex(part));
}

std::string cpu_features_string() {
  const CpuFeatures& f = cpu_features();
  const std::pair<bool, const char*> names[] = {
      {f.asimd, "asimd"}, {f.asimdhp, "asimdhp"}, {f.asimddp, "asimddp"},
      {f.i8mm, "i8mm"},   {f.sve, "sve"},
  };
  std::string out;
  for (const auto& [on, name] : names) {
    if (!on) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out.empty() ? "none" : out;
}

}  // namespace bitnet
