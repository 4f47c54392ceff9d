#include "attention.h"

#include <cmath>
#include <cstring>

#include "dense_dot.h"

namespace bitnet::model::detail {

KvCache::KvCache(KvType type, int64_t n_layer, int64_t n_ctx, int64_t kv_dim)
    : type_(type),
      n_layer_(n_layer),
      n_ctx_(n_ctx),
      kv_dim_(kv_dim),
      elem_(type == KvType::kF16 ? 2 : 4),
      k_(new uint8_t[bytes() / 2]),  // default-initialised: pages stay untouched until used
      v_(new uint8_t[bytes() / 2]) {}

uint64_t KvCache::bytes() const {
  return 2ull * static_cast<uint64_t>(n_layer_ * n_ctx_ * kv_dim_) * elem_;
}

size_t KvCache::index(int64_t layer, int64_t pos) const {
  return static_cast<size_t>((layer * n_ctx_ + pos) * kv_dim_) * elem_;
}

void KvCache::zero(int64_t begin, int64_t end) {
  if (begin >= end) return;
  const size_t n = static_cast<size_t>((end - begin) * kv_dim_) * elem_;
  for (int64_t layer = 0; layer < n_layer_; ++layer) {
    std::memset(k_.get() + index(layer, begin), 0, n);
    std::memset(v_.get() + index(layer, begin), 0, n);
  }
}

void KvCache::store(int64_t layer, int64_t pos, const float* k, const float* v) {
  uint8_t* kd = k_.get() + index(layer, pos);
  uint8_t* vd = v_.get() + index(layer, pos);
  if (type_ == KvType::kF32) {
    std::memcpy(kd, k, static_cast<size_t>(kv_dim_) * 4);
    std::memcpy(vd, v, static_cast<size_t>(kv_dim_) * 4);
    return;
  }
  auto* k16 = reinterpret_cast<fp16_t*>(kd);
  auto* v16 = reinterpret_cast<fp16_t*>(vd);
  for (int64_t i = 0; i < kv_dim_; ++i) {
    k16[i] = fp32_to_fp16(k[i]);
    v16[i] = fp32_to_fp16(v[i]);
  }
}

const void* KvCache::k_row(int64_t layer, int64_t pos) const {
  return k_.get() + index(layer, pos);
}
const void* KvCache::v_row(int64_t layer, int64_t pos) const {
  return v_.get() + index(layer, pos);
}

void attention(const KvCache& kv, int64_t layer, const AttentionShape& sh, const float* q,
               int64_t n, int64_t pos0, bool round_weights_f16, float* out, float* scratch,
               ThreadPool& pool) {
  const DotFns& dots = dot_fns();
  const int64_t hd = sh.head_dim;
  const int64_t q_dim = sh.n_head * hd;
  const int64_t group = sh.n_head / sh.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const bool f16 = kv.type() == KvType::kF16;
  const int64_t per_thread = kv.n_ctx() + hd;

  pool.parallel_for(n * sh.n_head, [&](int64_t task, int thread) {
    const int64_t i = task / sh.n_head;
    const int64_t h = task % sh.n_head;
    const int64_t kvh = h / group;
    const int64_t n_kv = pos0 + i + 1;  // causal: positions 0..pos0+i
    float* scores = scratch + thread * per_thread;
    const float* qh = q + i * q_dim + h * hd;
    float* o = out + i * q_dim + h * hd;

    float mx = -INFINITY;
    if (f16) {
      // ggml rounds q to f16 for the f16 K cache; widened back once (exact), two K rows per
      // dot2 call: the same products and sums as dot_f16 per row, without converting q per row.
      float* qw = scores + kv.n_ctx();
      for (int64_t d = 0; d < hd; ++d) qw[d] = fp16_to_fp32(fp32_to_fp16(qh[d]));
      const auto krow = [&](int64_t t) {
        return static_cast<const fp16_t*>(kv.k_row(layer, t)) + kvh * hd;
      };
      int64_t t = 0;
      for (; t + 2 <= n_kv; t += 2)
        dots.dot2_f16_f32(krow(t), krow(t + 1), qw, hd, &scores[t], nullptr);
      if (t < n_kv) {
        float pair[2];
        dots.dot2_f16_f32(krow(t), krow(t), qw, hd, pair, nullptr);
        scores[t] = pair[0];
      }
      for (t = 0; t < n_kv; ++t) {
        scores[t] *= scale;
        mx = std::fmax(mx, scores[t]);
      }
    } else {
      for (int64_t t = 0; t < n_kv; ++t) {
        const float s =
            dots.dot_f32(static_cast<const float*>(kv.k_row(layer, t)) + kvh * hd, qh, hd) * scale;
        scores[t] = s;
        mx = std::fmax(mx, s);
      }
    }
    double sum = 0.0;  // ggml_vec_soft_max_f32 sums in double
    for (int64_t t = 0; t < n_kv; ++t) {
      const float e = std::exp(scores[t] - mx);
      scores[t] = e;
      sum += e;
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t d = 0; d < hd; ++d) o[d] = 0.0f;
    for (int64_t t = 0; t < n_kv; ++t) {
      const float p = scores[t] * inv;
      if (f16) {
        // ggml converts kq to f16 for kq·V; bitnet.cpp's fork does not.
        const float pw = round_weights_f16 ? fp16_to_fp32(fp32_to_fp16(p)) : p;
        dots.axpy_f16(pw, static_cast<const fp16_t*>(kv.v_row(layer, t)) + kvh * hd, o, hd);
      } else {
        const float* v = static_cast<const float*>(kv.v_row(layer, t)) + kvh * hd;
        for (int64_t d = 0; d < hd; ++d) o[d] += p * v[d];
      }
    }
  });
}

}  // namespace bitnet::model::detail
