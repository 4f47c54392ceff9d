#include "attention_ggml512.h"

#include <cmath>
#include <vector>

#include "bitnet/formats/blocks.h"
#include "ggml_dot512.h"
#include "ggml_expf.h"

namespace bitnet::model::detail {
namespace {

constexpr int kLanes = 16;    // one __m512 of floats
constexpr int64_t kPad = 32;  // llama_kv_cache_get_padding without flash attention

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
                         : ggml_vec_dot_f16(&k[t * hd], 1, qh.data(), hd)) *
               scale;
        mx = std::fmax(mx, w[t]);
      }
      double sum = 0;
      for (int64_t c = 0; c < n_kv; c += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
          const int64_t t = c + l;
          lanes[l] = t < visible ? ggml_v_expf(w[t] - mx) : 0.0f;  // masked: exp(-inf) = 0
          w[t] = lanes[l];
        }
        sum += static_cast<double>(ggml_reduce16(lanes));
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t t = 0; t < n_kv; ++t) {
        w[t] *= inv;
        if (round_w) w[t] = fp16_to_fp32(fp32_to_fp16(w[t]));  // converted to the f16 vec_dot type
      }
      float* o = out + i * q_dim + h * hd;
      for (int64_t d = 0; d < hd; ++d) {
        o[d] = batch ? tinyblas_dot(&v[d], hd, w.data(), n_kv)
                     : ggml_vec_dot_f16(&v[d], hd, w.data(), n_kv);
      }
    }
  });
}

}  // namespace bitnet::model::detail
