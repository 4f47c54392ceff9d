#include "dense_dot.h"

#include <cmath>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::model::detail {
namespace {

float dot_f32_scalar(const float* w, const float* x, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += w[i] * x[i];
  return s;
}

float dot_f16_scalar(const fp16_t* w, const fp16_t* x, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += fp16_to_fp32(w[i]) * fp16_to_fp32(x[i]);
  return s;
}

void dot2_f16_f32_scalar(const fp16_t* w0, const fp16_t* w1, const float* xw, int64_t n, float* out,
                         const void* /*next: no prefetch in the portable path*/) {
  float s0 = 0.0f, s1 = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    s0 += fp16_to_fp32(w0[i]) * xw[i];
    s1 += fp16_to_fp32(w1[i]) * xw[i];
  }
  out[0] = s0;
  out[1] = s1;
}

// Six-bit values (0..63) of one Q6_K block in element order, and its 16 sub-block scales.
void unpack_q6k(const block_q6_K& b, uint8_t* q) {
  const uint8_t* ql = b.ql;
  const uint8_t* qh = b.qh;
  for (int half = 0; half < 2; ++half) {
    for (int l = 0; l < 32; ++l) {
      q[l + 0] = static_cast<uint8_t>((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4));
      q[l + 32] = static_cast<uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
      q[l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      q[l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
    q += 128;
    ql += 64;
    qh += 32;
  }
}

float dot_q6k_q8k_scalar(const block_q6_K* w, const block_q8_K* x, int64_t nb,
                         const void* /*next: no prefetch in the portable path*/) {
  float acc = 0.0f;
  uint8_t q[kQK_K];
  for (int64_t b = 0; b < nb; ++b) {
    unpack_q6k(w[b], q);
    int32_t isum = 0;
    for (int j = 0; j < kQK_K / 16; ++j) {
      int32_t s = 0;
      for (int i = 0; i < 16; ++i) s += (q[16 * j + i] - 32) * x[b].qs[16 * j + i];
      isum += w[b].scales[j] * s;
    }
    acc += (fp16_to_fp32(w[b].d) * x[b].d) * static_cast<float>(isum);
  }
  return acc;
}

void axpy_f16_scalar(float a, const fp16_t* v, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] += a * fp16_to_fp32(v[i]);
}

void axpy_f32_scalar(float a, const float* v, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] += a * v[i];
}

void widen_f16_scalar(const fp16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(src[i]);
}

void dot_f32_rows_scalar(const float* rows, int64_t stride, int64_t count, const float* x,
                         int64_t n, float* out) {
  for (int64_t t = 0; t < count; ++t) out[t] = dot_f32_scalar(rows + t * stride, x, n);
}

void axpy_rows_f32_scalar(const float* p, const float* rows, int64_t stride, int64_t count,
                          float* out, int64_t n) {
  for (int64_t t = 0; t < count; ++t) axpy_f32_scalar(p[t], rows + t * stride, out, n);
}

double exp_sum_scalar(float* s, int64_t n, float max) {
  double sum = 0.0;
  for (int64_t t = 0; t < n; ++t) {
    s[t] = std::exp(s[t] - max);
    sum += s[t];
  }
  return sum;
}

void round_f16_scalar(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = fp16_to_fp32(fp32_to_fp16(x[i]));
}

const DotFns kScalar{
    "scalar",        dot_f32_scalar,  dot_f16_scalar,   dot2_f16_f32_scalar, dot_q6k_q8k_scalar,
    axpy_f16_scalar, axpy_f32_scalar, widen_f16_scalar, dot_f32_rows_scalar, axpy_rows_f32_scalar,
    exp_sum_scalar,  round_f16_scalar};

}  // namespace

const DotFns& dot_fns_scalar() {
  return kScalar;
}

const DotFns& dot_fns() {
  // BITNET_ISA pins everything, these helpers included.
  const DotFns* avx2 = dot_fns_avx2();
  if (avx2 != nullptr && cpu_has(Isa::kAvx2) &&
      static_cast<int>(active_isa_pin()) >= static_cast<int>(Isa::kAvx2))
    return *avx2;
  return kScalar;
}

float dot_q8_0_q8_0(const block_q8_0* w, const block_q8_0* x, int64_t nb) {
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    int32_t isum = 0;
    for (int i = 0; i < 32; ++i) isum += w[b].qs[i] * x[b].qs[i];
    acc += (fp16_to_fp32(w[b].d) * fp16_to_fp32(x[b].d)) * static_cast<float>(isum);
  }
  return acc;
}

void quantize_q8_0(const float* x, block_q8_0* y, int64_t n) {
  bitnet::quantize_row_q8_0(x, y, n);  // one copy of ggml's rounding, shared with the weights
}

}  // namespace bitnet::model::detail
