// CPU feature detection: cpuid leaves 1 and 7, plus XGETBV for the OS-enabled register state
// (a CPU may report AVX-512 while the OS does not save ZMM registers).
#include "bitnet/kernels/cpu.h"

#include <cpuid.h>

#include <cstring>
#include <string>
#include <utility>

namespace bitnet {
namespace {

uint64_t read_xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));  // no -mxsave needed
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  f.sse41 = c & bit_SSE4_1;
  f.ssse3 = c & bit_SSSE3;
  f.popcnt = c & bit_POPCNT;
  f.fma = c & bit_FMA;
  f.f16c = c & bit_F16C;
  f.avx = c & bit_AVX;
  const bool osxsave = c & bit_OSXSAVE;
  if (osxsave) {
    const uint64_t xcr0 = read_xcr0();
    f.os_ymm = (xcr0 & 0x6) == 0x6;
    f.os_zmm = f.os_ymm && (xcr0 & 0xe0) == 0xe0;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    f.avx2 = b & bit_AVX2;
    f.bmi2 = b & bit_BMI2;
    f.avx512f = b & bit_AVX512F;
    f.avx512dq = b & bit_AVX512DQ;
    f.avx512cd = b & bit_AVX512CD;
    f.avx512bw = b & bit_AVX512BW;
    f.avx512vl = b & bit_AVX512VL;
    f.avx512vnni = c & bit_AVX512VNNI;
  }
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avxvnni = a & (1u << 4);
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

uint32_t arch_feature_bits() {
  return kFeatSse41 | kFeatAvx2 | kFeatAvx512 | kFeatAvx512Vnni | kFeatAvxVnni;
}

uint32_t cpu_feature_bits() {
  const CpuFeatures& f = cpu_features();
  uint32_t bits = 0;
  if (f.sse41 && f.ssse3) bits |= kFeatSse41;
  if (f.os_ymm && f.avx && f.avx2 && f.fma && f.f16c && f.bmi2) bits |= kFeatAvx2;
  if (f.os_zmm && f.avx512f && f.avx512cd && f.avx512dq && f.avx512bw && f.avx512vl)
    bits |= kFeatAvx512;
  if (f.os_zmm && f.avx512vnni) bits |= kFeatAvx512Vnni;
  if (f.os_ymm && f.avxvnni) bits |= kFeatAvxVnni;
  return bits;
}

std::string cpu_model_name() {
  unsigned max_ext = __get_cpuid_max(0x80000000u, nullptr);
  if (max_ext < 0x80000004u) return "unknown";
  char brand[49] = {};
  for (unsigned leaf = 0; leaf < 3; ++leaf) {
    unsigned r[4];
    __get_cpuid(0x80000002u + leaf, &r[0], &r[1], &r[2], &r[3]);
    std::memcpy(brand + 16 * leaf, r, 16);
  }
  std::string s(brand);
  const auto first = s.find_first_not_of(' ');
  const auto last = s.find_last_not_of(' ');
  return first == std::string::npos ? "unknown" : s.substr(first, last - first + 1);
}

std::string cpu_features_string() {
  const CpuFeatures& f = cpu_features();
  const std::pair<bool, const char*> names[] = {
      {f.ssse3, "ssse3"},       {f.sse41, "sse4.1"},
      {f.popcnt, "popcnt"},     {f.avx, "avx"},
      {f.avx2, "avx2"},         {f.fma, "fma"},
      {f.f16c, "f16c"},         {f.bmi2, "bmi2"},
      {f.avx512f, "avx512f"},   {f.avx512cd, "avx512cd"},
      {f.avx512dq, "avx512dq"}, {f.avx512bw, "avx512bw"},
      {f.avx512vl, "avx512vl"}, {f.avx512vnni, "avx512vnni"},
      {f.avxvnni, "avxvnni"},   {f.os_ymm, "os-ymm"},
      {f.os_zmm, "os-zmm"},
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
