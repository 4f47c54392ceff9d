// The scalar parts of the SIMD I8_S quantizers (i8s_avx2.cc, i8s_neon.cc), which run
// kernels/ref/quant_act_i8s.cc's arithmetic on what their vector loops leave: the max over the
// last elements, the scale, and the quantization of the last elements. One copy, so the ISAs
// cannot drift apart on the bytes of a row whose length is not a multiple of the vector width.
// Anonymous namespace and __builtin_ math: the including files are built with ISA flags, and
// the linker must not keep one of their out-of-line copies for baseline code (matmul/tiles.h).
#pragma once

#include <cstdint>
#include <cstring>

namespace bitnet::kernels {
namespace {
namespace i8s {

// ggml's nearest_int (bitnet/formats/rounding.h): add 1.5*2^23, keep the mantissa bits.
inline int nearest(float f) {
  const float v = f + 12582912.f;
  int32_t i;
  std::memcpy(&i, &v, sizeof i);
  return (i & 0x007fffff) - 0x00400000;
}

// max(am, |x[i]|) over [from, K); sets nan when one of them is NaN.
inline float amax_tail(const float* x, int64_t from, int64_t K, float am, bool& nan) {
  for (int64_t i = from; i < K; ++i) {
    const float a = __builtin_fabsf(x[i]);
    nan = nan || __builtin_isnan(a);
    am = a > am ? a : am;
  }
  return am;
}

// The reference's scale for a finite max: 127 / max(am, 1e-5) in double, rounded to float.
inline float scale_for(float am) {
  const double max = am > 0.00001 ? static_cast<double>(am) : 0.00001;
  return static_cast<float>(127 / max);
}

// Quantizes [from, K) with scale s into dst (the reference's rounding and clamps); returns the
// sum of those codes.
inline int32_t quantize_tail(const float* x, int64_t from, int64_t K, float s, uint8_t* dst) {
  int32_t t = 0;
  for (int64_t i = from; i < K; ++i) {
    int v = nearest(x[i] * s);
    v = v > 127 ? 127 : (v < -128 ? -128 : v);
    t += v;
    dst[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
  }
  return t;
}

}  // namespace i8s
}  // namespace
}  // namespace bitnet::kernels
