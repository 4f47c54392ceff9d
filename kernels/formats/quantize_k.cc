// Q4_0, Q8_0 and Q6_K weight quantizers, byte-exact with llama.cpp's quantize_row_q4_0_ref,
// quantize_row_q8_0_ref and quantize_row_q6_K_ref (ggml/src/ggml-quants.c, c392e5094; what
// llama-quantize runs when no importance matrix is given). Every f32 operation is the origin's, in
// its order: the library is built with -ffp-contract=off and without -mfma on this file, as
// ggml-base is (no FMA).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitnet/formats/quantize.h"
#include "bitnet/formats/rounding.h"

namespace bitnet {
namespace {

constexpr float kGroupMaxEps = 1e-15f;  // ggml's GROUP_MAX_EPS: below it a group is "all zero"

std::string fmt_float(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

void check_n(const char* what, int64_t n, int64_t block) {
  if (n < 0 || n % block != 0)
    throw std::invalid_argument(std::string(what) + ": n = " + std::to_string(n) +
                                " is not a multiple of the " + std::to_string(block) +
                                "-element block");
}

// llama-quantize refuses non-finite rows (its output validation fails); say which element.
void check_finite(const char* what, const float* x, int64_t n, int64_t first_index) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]))
      throw std::invalid_argument(std::string(what) + ": element " +
                                  std::to_string(first_index + i) + " is " + fmt_float(x[i]) +
                                  " (only finite values can be quantized)");
}

bool fp16_is_finite(fp16_t h) {
  return (h & 0x7c00u) != 0x7c00u;
}

// ggml's make_qx_quants with rmse_type = 1 (weights x^2) and no importance weights: codes L in
// 0..2*nmax-1 and the group scale, trying 19 scales around -nmax/max for the least weighted
// squared error. The `l` products are int -> float conversions as in C.
float make_qx_quants_rmse1(int n, int nmax, const float* x, int8_t* L) {
  float max = 0;
  float amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {  // all zero: codes 0, not nmax (the origin's choice)
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.f;
  }
  float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0;
  float suml2 = 0;
  for (int i = 0; i < n; ++i) {
    int l = nearest_int(iscale * x[i]);
    l = std::max(-nmax, std::min(nmax - 1, l));
    L[i] = static_cast<int8_t>(l + nmax);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * static_cast<float>(l);
    suml2 += w * static_cast<float>(l) * static_cast<float>(l);
  }
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearest_int(iscale * x[i]);
      l = std::max(-nmax, std::min(nmax - 1, l));
      const float w = x[i] * x[i];
      sumlx += w * x[i] * static_cast<float>(l);
      suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) {
        const int l = nearest_int(iscale * x[i]);
        L[i] = static_cast<int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// One Q6_K block; false when a scale is not representable (non-finite group scale or an fp16 d
// that overflows), which the checked entry point turns into an error.
bool quantize_block_q6_K(const float* x, block_q6_K* y) {
  int8_t L[kQK_K];
  float scales[kQK_K / 16];
  float max_scale = 0;
  float max_abs_scale = 0;
  for (int ib = 0; ib < kQK_K / 16; ++ib) {
    const float scale = make_qx_quants_rmse1(16, 32, x + 16 * ib, L + 16 * ib);
    if (!std::isfinite(scale)) return false;
    scales[ib] = scale;
    const float abs_scale = std::fabs(scale);
    if (abs_scale > max_abs_scale) {
      max_abs_scale = abs_scale;
      max_scale = scale;
    }
  }
  if (max_abs_scale < kGroupMaxEps) {
    std::memset(y, 0, sizeof *y);
    y->d = fp32_to_fp16(0.f);
    return true;
  }
  const float iscale = -128.f / max_scale;
  y->d = fp32_to_fp16(1 / iscale);
  if (!fp16_is_finite(y->d)) return false;
  for (int ib = 0; ib < kQK_K / 16; ++ib)  // >= -128 always (|scale| <= |max_scale|); int8 as C
    y->scales[ib] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[ib])));
  for (int j = 0; j < kQK_K / 16; ++j) {
    const float d = fp16_to_fp32(y->d) * static_cast<float>(y->scales[j]);
    if (d == 0.0f) continue;  // keeps make_qx_quants' codes, as the origin does
    for (int ii = 0; ii < 16; ++ii) {
      int l = nearest_int(x[16 * j + ii] / d);
      l = std::max(-32, std::min(31, l));
      L[16 * j + ii] = static_cast<int8_t>(l + 32);
    }
  }
  uint8_t* ql = y->ql;
  uint8_t* qh = y->qh;
  for (int j = 0; j < kQK_K; j += 128) {
    for (int l = 0; l < 32; ++l) {
      const uint8_t q1 = L[j + l + 0] & 0xF;
      const uint8_t q2 = L[j + l + 32] & 0xF;
      const uint8_t q3 = L[j + l + 64] & 0xF;
      const uint8_t q4 = L[j + l + 96] & 0xF;
      ql[l + 0] = static_cast<uint8_t>(q1 | (q3 << 4));
      ql[l + 32] = static_cast<uint8_t>(q2 | (q4 << 4));
      qh[l] = static_cast<uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                   ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
    }
    ql += 64;
    qh += 32;
  }
  return true;
}

}  // namespace

void quantize_row_q8_0(const float* x, block_q8_0* y, int64_t n) noexcept {
  for (int64_t b = 0; b < n / 32; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) {
      const float a = std::fabs(x[32 * b + j]);
      amax = amax > a ? amax : a;  // the origin's MAX(a, b) macro
    }
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    for (int j = 0; j < 32; ++j) {
      const float r = std::roundf(x[32 * b + j] * id);  // ties away from zero
      // Finite input gives |r| <= 127; the clamp only keeps NaN/inf input defined (no UB).
      int q = 0;
      if (r >= 127.0f) {
        q = 127;
      } else if (r <= -128.0f) {
        q = -128;
      } else if (r == r) {
        q = static_cast<int>(r);
      }
      y[b].qs[j] = static_cast<int8_t>(q);
    }
  }
}

void quantize_q4_0(const float* x, uint8_t* dst, int64_t n) {
  check_n("quantize_q4_0", n, 32);
  for (int64_t b = 0; b < n / 32; ++b) {
    const float* xb = x + 32 * b;
    check_finite("quantize_q4_0", xb, 32, 32 * b);
    float amax = 0.0f;
    float max = 0.0f;
    for (int j = 0; j < 32; ++j) {
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    block_q4_0 out;
    out.d = fp32_to_fp16(d);
    if (!fp16_is_finite(out.d))
      throw std::invalid_argument("quantize_q4_0: block " + std::to_string(b) +
                                  ": values too large for Q4_0 (scale max|x|/8 overflows fp16)");
    for (int j = 0; j < 16; ++j) {
      // x * id lies in [-8, 8] for finite input, so x * id + 8.5 fits an int8 (C's truncation).
      const int xi0 = std::min(15, static_cast<int>(static_cast<int8_t>(xb[j] * id + 8.5f)));
      const int xi1 = std::min(15, static_cast<int>(static_cast<int8_t>(xb[16 + j] * id + 8.5f)));
      out.qs[j] = static_cast<uint8_t>(xi0 | (xi1 << 4));
    }
    std::memcpy(dst + b * static_cast<int64_t>(sizeof out), &out, sizeof out);
  }
}

void quantize_row_q8_0_ggml_x86(const float* x, block_q8_0* y, int64_t n) noexcept {
  for (int64_t b = 0; b < n / 32; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
    const float d = amax / 127.f;
    y[b].d = fp32_to_fp16(d);
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    for (int j = 0; j < 32; ++j) {
      const float r = std::nearbyint(x[32 * b + j] * id);  // ties to even (default mode)
      int q = 0;
      if (r >= 127.0f) {
        q = 127;
      } else if (r <= -128.0f) {
        q = -128;
      } else if (r == r) {
        q = static_cast<int>(r);
      }
      y[b].qs[j] = static_cast<int8_t>(q);
    }
  }
}

void quantize_q8_0(const float* x, uint8_t* dst, int64_t n) {
  check_n("quantize_q8_0", n, 32);
  for (int64_t b = 0; b < n / 32; ++b) {
    check_finite("quantize_q8_0", x + 32 * b, 32, 32 * b);
    block_q8_0 out;
    quantize_row_q8_0(x + 32 * b, &out, 32);
    if (!fp16_is_finite(out.d))
      throw std::invalid_argument("quantize_q8_0: block " + std::to_string(b) +
                                  ": values too large for Q8_0 (scale max|x|/127 overflows fp16)");
    std::memcpy(dst + b * static_cast<int64_t>(sizeof out), &out, sizeof out);
  }
}

void quantize_q6_K(const float* x, uint8_t* dst, int64_t n) {
  check_n("quantize_q6_K", n, kQK_K);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* xb = x + b * kQK_K;
    check_finite("quantize_q6_K", xb, kQK_K, b * kQK_K);
    block_q6_K out;
    if (!quantize_block_q6_K(xb, &out)) {
      float amax = 0;
      for (int j = 0; j < kQK_K; ++j) amax = std::max(amax, std::fabs(xb[j]));
      throw std::invalid_argument("quantize_q6_K: block " + std::to_string(b) +
                                  ": values too large for Q6_K (max|x| = " + fmt_float(amax) +
                                  "; its scale overflows fp16)");
    }
    std::memcpy(dst + b * static_cast<int64_t>(sizeof out), &out, sizeof out);
  }
}

}  // namespace bitnet
