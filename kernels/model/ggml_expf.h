// ggml's vectorised expf and SiLU (ggml_v_expf / ggml_v_silu, AVX-512 branch), one lane: a
// polynomial within ~1.5 ulp of expf, so its results differ from libm's in the last bits. The
// peers run it in the softmax and in SiLU over every full group of 16 values; leftovers use
// libm's expf. Scalar, for EngineOptions::peer_float_order only.
#pragma once

#include <cmath>
#include <cstdint>

namespace bitnet::model::detail {

inline float ggml_v_expf(float x) {
  const float r = 0x1.8p23f;
  const float z = std::fma(x, 0x1.715476p+0f, r);
  const float n = z - r;
  const float b = std::fma(-n, 0x1.7f7d1cp-20f, std::fma(-n, 0x1.62e4p-1f, x));
  const float u = b * b;
  const float j = std::fma(std::fma(std::fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                                    std::fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                           u, std::fma(0x1.ffffecp-1f, b, 1.0f));
  if (!(std::fabs(n) > 192)) return std::ldexp(j, static_cast<int>(n));  // scalef, n integral
  return n <= 0 ? 0.0f : INFINITY;
}

// ggml_vec_silu_f32 on an AVX-512 build: ggml_v_silu (x / (1 + v_expf(0 − x))) for the first
// n − n % 16 values, ggml_silu_f32 (libm expf) for the rest.
inline void ggml_vec_silu(const float* x, float* y, int64_t n) {
  const int64_t full = n - n % 16;
  for (int64_t i = 0; i < full; ++i) y[i] = x[i] / (1.0f + ggml_v_expf(0.0f - x[i]));
  for (int64_t i = full; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
}

}  // namespace bitnet::model::detail
