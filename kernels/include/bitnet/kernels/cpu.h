// What this CPU (and the OS) can run: cpuid feature bits plus XGETBV checks that the OS saves
// the YMM/ZMM state. Only these answers decide which registered kernels are runnable.
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
};

// The features this CPU and OS can run (usable sets only: AVX-512 bits need OS ZMM support).
uint32_t cpu_feature_bits();
// The features an ISA tag's files are compiled for: kSse41 = sse41; kAvx2 = avx2 (+ sse41);
// kAvx512 = avx512 + avx2 + sse41; kAvx512Vnni = kAvx512 + avx512vnni; kScalar = none.
uint32_t isa_features(Isa isa);
// "sse41+avx2+avx512": the names of a feature set, "none" when empty.
std::string feature_names(uint32_t bits);

// True when this CPU runs every feature of the ISA tag (isa_features(isa) ⊆ cpu_feature_bits()).
bool cpu_has(Isa isa);

// The runnable ISA tag with the most features (a description for reports; dispatch does not use
// it to rank kernels).
Isa best_cpu_isa();

// "AMD EPYC 7B12" (cpuid brand string, trimmed), or "unknown".
std::string cpu_model_name();

// Space-separated list of detected features, e.g. "sse4.1 ssse3 avx avx2 fma f16c bmi2".
std::string cpu_features_string();

}  // namespace bitnet
