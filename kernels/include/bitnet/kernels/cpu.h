// What this CPU (and the OS) can run. x86-64: cpuid feature bits plus XGETBV checks that the OS
// saves the YMM/ZMM state; aarch64: the kernel's HWCAP bits (getauxval). Only these answers decide
// which registered kernels are runnable.
#pragma once

#include <string>

#include "bitnet/kernels/kernel.h"

namespace bitnet {

struct CpuFeatures {
  bool sse41 = false, ssse3 = false, popcnt = false;
  bool avx = false, avx2 = false, fma = false, f16c = false, bmi2 = false;
  bool avx512f = false, avx512cd = false, avx512dq = false, avx512bw = false, avx512vl = false;
  bool avx512vnni = false, avxvnni = false;
  bool os_ymm = false;  // XCR0 has SSE+AVX state (bits 1,2)
  bool os_zmm = false;  // XCR0 also has opmask+ZMM state (bits 5,6,7)
  // aarch64 (HWCAP names): Advanced SIMD, its fp16 arithmetic, SDOT/UDOT, SMMLA, SVE.
  bool asimd = false, asimdhp = false, asimddp = false, i8mm = false, sve = false;
};

// Detected once (thread-safe), then cached.
const CpuFeatures& cpu_features();

// CPU features a kernel can need, as bits of a set. An ISA tag (kernel.h) is a name for the set
// its files are compiled with (cmake/BitnetIsa.cmake), not a rung of a ladder: a later tag such
// as AVX-VNNI (VEX-encoded, without AVX-512) is neither above nor below kAvx512.
enum Feature : uint32_t {
  kFeatSse41 = 1u << 0,   // SSE4.1 + SSSE3
  kFeatAvx2 = 1u << 1,    // AVX + AVX2 + FMA + F16C + BMI2, OS saves YMM state
  kFeatAvx512 = 1u << 2,  // AVX-512 F+CD+DQ+BW+VL, OS saves ZMM + opmask state
  kFeatAvx512Vnni = 1u << 3,
  kFeatAvxVnni = 1u << 4,  // VEX-encoded VNNI (Alder Lake and later); no kernel uses it yet
  kFeatNeon = 1u << 5,     // aarch64 Advanced SIMD (asimd)
  kFeatDotprod = 1u << 6,  // SDOT/UDOT (asimddp, ARMv8.2-A optional, v8.4-A mandatory)
  kFeatI8mm = 1u << 7,     // SMMLA/USDOT (i8mm, ARMv8.6-A)
  kFeatSve = 1u << 8,      // SVE; no kernel uses it yet
};

// Every feature bit of the architecture this library was built for (x86-64: sse41 … avxvnni;
// aarch64: neon … sve; elsewhere none).
uint32_t arch_feature_bits();
// True when the ISA tag belongs to this build's architecture (scalar always does): only those
// are valid BITNET_ISA values here.
bool isa_of_this_arch(Isa isa);

// The features this CPU and OS can run (usable sets only: AVX-512 bits need OS ZMM support).
uint32_t cpu_feature_bits();
// The features an ISA tag's files are compiled for: kSse41 = sse41; kAvx2 = avx2 (+ sse41);
// kAvx512 = avx512 + avx2 + sse41; kAvx512Vnni = kAvx512 + avx512vnni; kNeon = neon;
// kDotprod = neon + dotprod; kI8mm = kDotprod + i8mm; kScalar = none.
uint32_t isa_features(Isa isa);
// "sse41+avx2+avx512": the names of a feature set, "none" when empty.
std::string feature_names(uint32_t bits);

// True when this CPU runs every feature of the ISA tag (isa_features(isa) ⊆ cpu_feature_bits()).
bool cpu_has(Isa isa);

// The runnable ISA tag with the most features (a description for reports; dispatch does not use
// it to rank kernels).
Isa best_cpu_isa();

// "AMD EPYC 7B12" (cpuid brand string, trimmed); aarch64: "ARM Neoverse-N1" style from the MIDR
// implementer/part (sysfs or /proc/cpuinfo); or "unknown".
std::string cpu_model_name();

// Space-separated list of detected features, e.g. "sse4.1 ssse3 avx avx2 fma f16c bmi2" or
// "asimd asimdhp asimddp i8mm".
std::string cpu_features_string();

}  // namespace bitnet
