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

// True when every instruction the per-ISA files are compiled with (cmake/BitnetIsa.cmake) is
// usable: kAvx2 = AVX2+FMA+F16C+BMI2 with OS YMM support; kAvx512 = F+CD+DQ+BW+VL with OS ZMM
// support (and kAvx2); kAvx512Vnni = kAvx512 + AVX512_VNNI. kScalar is always true.
bool cpu_has(Isa isa);

// Highest ISA cpu_has() accepts.
Isa best_cpu_isa();

// "AMD EPYC 7B12" (cpuid brand string, trimmed), or "unknown".
std::string cpu_model_name();

// Space-separated list of detected features, e.g. "sse4.1 ssse3 avx avx2 fma f16c bmi2".
std::string cpu_features_string();

}  // namespace bitnet
