#include "attention_ggml512.h"

#include <cmath>
#include <vector>

#include "bitnet/formats/blocks.h"

namespace bitnet::model::detail {
namespace {

constexpr int kLanes = 16;    // one __m512 of floats
constexpr int64_t kPad = 32;  // llama_kv_cache_get_padding without flash attention

// _mm512_reduce_add_ps (GCC and clang expand it alike): halves, quarters, then (0+2)+(1+3).
float reduce16(const float* v) {
  float h[8], q[4];
  for (int i = 0; i < 8; ++i) h[i] = v[i + 8] + v[i];
  for (int i = 0; i < 4; ++i) q[i] = h[i + 4] + h[i];
  return (q[0] + q[2]) + (q[1] + q[3]);
}

// ggml_vec_dot_f16, AVX-512 branch (GGML_F16_STEP 64, GGML_F16_EPR 16), on widened f16 values.
float vec_dot_f16(const float* x, int64_t x_stride, const float* y, int64_t n) {
  const int64_t np = n & ~int64_t{63};
  float sum[4][kLanes] = {};
  for (int64_t i = 0; i < np; i += 64)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < kLanes; ++l) {
        const int64_t k = i + j * kLanes + l;
        sum[j][l] = std::fma(x[k * x_stride], y[k], sum[j][l]);
      }
  for (int l = 0; l < kLanes; ++l) {  // GGML_F32x16_REDUCE: x0 += x2, x1 += x3, x0 += x1
    sum[0][l] += sum[2][l];
    sum[1][l] += sum[3][l];
    sum[0][l] += sum[1][l];
  }
  double s = reduce16(sum[0]);
  for (int64_t k = np; k < n; ++k) s += static_cast<double>(x[k * x_stride] * y[k]);
  return static_cast<float>(s);
}

// tinyBLAS<16, __m512, ...>: one 16-lane FMA accumulator over k (a multiple of 16), then hsum.
float tinyblas_dot(const float* x, int64_t x_stride, const float* y, int64_t n) {
  float lanes[kLanes] = {};
  for (int64_t k = 0; k < n; ++k)
    lanes[k % kLanes] = std::fma(x[k * x_stride], y[k], lanes[k % kLanes]);
  return reduce16(lanes);
}

// ggml_v_expf, AVX-512 branch, one lane.
float v_expf(float x) {
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

}  // namespace

void attention_ggml512(const KvCache& kv, int64_t layer, const AttentionShape& sh, const float* q,
                       int64_t n, int64_t pos0, bool bitnet_cpp, float* out, ThreadPool& pool) {
  const bool batch = n >= 2;  // llamafile_sgemm: "only enable sgemm for prompt processing"
  const bool sgemm_kq = batch && !bitnet_cpp;
  const bool round_w = !batch || !bitnet_cpp;
  const int64_t hd = sh.head_dim, q_dim = sh.n_head * hd, group = sh.n_head / sh.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  // The cache as ggml sees it: n_kv = the used cells padded to 32 (cells beyond are zero).
  const int64_t n_kv = std::min((pos0 + n + kPad - 1) / kPad * kPad, kv.n_ctx());
  const int64_t used = pos0 + n;
  pool.parallel_for(n * sh.n_head_kv, [&](int64_t task, int) {
    const int64_t i = task / sh.n_head_kv, kvh = task % sh.n_head_kv;
    const int64_t visible = pos0 + i + 1;  // causal mask
    // K and V rows of this KV head widened to f32, zero beyond the used cells.
    std::vector<float> k(static_cast<size_t>(n_kv * hd), 0.0f), v(k.size(), 0.0f);
    for (int64_t t = 0; t < used; ++t) {
      const auto* kr = static_cast<const fp16_t*>(kv.k_row(layer, t)) + kvh * hd;
      const auto* vr = static_cast<const fp16_t*>(kv.v_row(layer, t)) + kvh * hd;
      for (int64_t d = 0; d < hd; ++d) {
        k[t * hd + d] = fp16_to_fp32(kr[d]);
        v[t * hd + d] = fp16_to_fp32(vr[d]);
      }
    }
    std::vector<float> qh(static_cast<size_t>(hd)), w(static_cast<size_t>(n_kv));
    float lanes[kLanes];
    for (int64_t h = kvh * group; h < (kvh + 1) * group; ++h) {
      for (int64_t d = 0; d < hd; ++d)  // Q is converted to f16 for the f16 K cache
        qh[d] = fp16_to_fp32(fp32_to_fp16(q[i * q_dim + h * hd + d]));
      float mx = -INFINITY;
      for (int64_t t = 0; t < visible; ++t) {
        w[t] = (sgemm_kq ? tinyblas_dot(&k[t * hd], 1, qh.data(), hd)
                         : vec_dot_f16(&k[t * hd], 1, qh.data(), hd)) *
               scale;
        mx = std::fmax(mx, w[t]);
      }
      double sum = 0;
      for (int64_t c = 0; c < n_kv; c += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
          const int64_t t = c + l;
          lanes[l] = t < visible ? v_expf(w[t] - mx) : 0.0f;  // masked: exp(-inf) = 0
          w[t] = lanes[l];
        }
        sum += static_cast<double>(reduce16(lanes));
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t t = 0; t < n_kv; ++t) {
        w[t] *= inv;
        if (round_w) w[t] = fp16_to_fp32(fp32_to_fp16(w[t]));  // converted to the f16 vec_dot type
      }
      float* o = out + i * q_dim + h * hd;
      for (int64_t d = 0; d < hd; ++d) {
        o[d] = batch ? tinyblas_dot(&v[d], hd, w.data(), n_kv)
                     : vec_dot_f16(&v[d], hd, w.data(), n_kv);
      }
    }
  });
}

}  // namespace bitnet::model::detail
