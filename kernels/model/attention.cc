#include "attention.h"

#include <algorithm>
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

namespace {
constexpr int64_t kRowBlock = 32;  // cache rows widened to f32 at a time (16 KiB at head_dim 128)
}  // namespace

int64_t attention_scratch_floats(const AttentionShape& sh, int64_t n_ctx) {
  const int64_t group = sh.n_head / sh.n_head_kv;
  return group * (n_ctx + sh.head_dim) + kRowBlock * sh.head_dim;
}

void attention(const KvCache& kv, int64_t layer, const AttentionShape& sh, const float* q,
               int64_t n, int64_t pos0, bool round_weights_f16, float* out, float* scratch,
               ThreadPool& pool) {
  const DenseKernels dk = dense_kernels();
  const int64_t hd = sh.head_dim;
  const int64_t q_dim = sh.n_head * hd;
  const int64_t group = sh.n_head / sh.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const bool f16 = kv.type() == KvType::kF16;
  const int64_t n_ctx = kv.n_ctx();
  const int64_t per_thread = attention_scratch_floats(sh, n_ctx);

  // One task per (token, KV head, part of its query heads): the query heads that share a KV head
  // read each cache row once, and an f16 row is widened to f32 once for all of them (exact; the
  // dots below then equal ggml_vec_dot_f16 / the axpy of an f16 row bit for bit). Heads are split
  // into parts only when there are fewer tasks than threads: widening a row twice costs more than
  // an uneven share (one decode token at pos 1024, 2 threads, 5 KV heads: 1 part 26.7 ms/token of
  // attention, 2 parts 29.9, one task per query head 41.9).
  const int64_t threads = pool.size();
  int64_t parts = 1;
  while (parts < group && (group % parts != 0 || n * sh.n_head_kv * parts < threads)) ++parts;
  const int64_t heads_per_part = group / parts;
  pool.parallel_for(n * sh.n_head_kv * parts, [&](int64_t task, int thread) {
    const int64_t i = task / (sh.n_head_kv * parts);
    const int64_t kvh = task / parts % sh.n_head_kv;
    const int64_t j0 = task % parts * heads_per_part, j1 = j0 + heads_per_part;
    const int64_t n_kv = pos0 + i + 1;              // causal: positions 0..pos0+i
    float* scores = scratch + thread * per_thread;  // [group][n_ctx]
    float* qw = scores + group * n_ctx;             // [group][hd]
    float* rows = qw + group * hd;                  // [kRowBlock][hd]
    // Row t of K or V for this KV head as f32: the cache row itself (f32 cache) or its widened
    // copy in `rows` (f16 cache, block [t0, t0 + kRowBlock) widened on entry).
    const auto block = [&](bool is_k, int64_t t0, int64_t t1) -> const float* {
      const auto row = [&](int64_t t) { return is_k ? kv.k_row(layer, t) : kv.v_row(layer, t); };
      if (!f16) return static_cast<const float*>(row(t0)) + kvh * hd;
      for (int64_t t = t0; t < t1; ++t)
        dk.widen_f16(static_cast<const fp16_t*>(row(t)) + kvh * hd, rows + (t - t0) * hd, hd);
      return rows;
    };
    const int64_t stride = f16 ? hd : sh.n_head_kv * hd;  // between rows of a block

    for (int64_t j = j0; j < j1; ++j) {
      const float* qh = q + i * q_dim + (kvh * group + j) * hd;
      // ggml rounds q to f16 for an f16 K cache (then widened back: exact).
      for (int64_t d = 0; d < hd; ++d)
        qw[j * hd + d] = f16 ? fp16_to_fp32(fp32_to_fp16(qh[d])) : qh[d];
    }
    for (int64_t t0 = 0; t0 < n_kv; t0 += kRowBlock) {
      const int64_t t1 = std::min(n_kv, t0 + kRowBlock);
      const float* k = block(true, t0, t1);
      for (int64_t j = j0; j < j1; ++j) {
        float* sj = scores + j * n_ctx + t0;
        dk.dot_f32(k, stride * sizeof(float), t1 - t0, qw + j * hd, hd, sj, nullptr);
        for (int64_t t = 0; t < t1 - t0; ++t) sj[t] *= scale;
      }
    }
    for (int64_t j = j0; j < j1; ++j) {
      float* sj = scores + j * n_ctx;
      float mx = -INFINITY;
      for (int64_t t = 0; t < n_kv; ++t) mx = std::fmax(mx, sj[t]);
      const double sum = dk.exp_sum(sj, n_kv, mx);  // ggml_vec_soft_max_f32 sums in double
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t t = 0; t < n_kv; ++t) sj[t] *= inv;
      // ggml converts kq to f16 for kq·V with an f16 cache; bitnet.cpp's fork does not.
      if (f16 && round_weights_f16) dk.round_f16(sj, sj, n_kv);
      float* o = out + i * q_dim + (kvh * group + j) * hd;
      for (int64_t d = 0; d < hd; ++d) o[d] = 0.0f;
    }
    for (int64_t t0 = 0; t0 < n_kv; t0 += kRowBlock) {
      const int64_t t1 = std::min(n_kv, t0 + kRowBlock);
      const float* v = block(false, t0, t1);
      for (int64_t j = j0; j < j1; ++j) {
        float* o = out + i * q_dim + (kvh * group + j) * hd;
        const float* p = scores + j * n_ctx + t0;
        if (f16) {
          dk.axpy_f32(p, v, stride * sizeof(float), t1 - t0, o, hd);  // = axpy of each f16 row
        } else {
          for (int64_t t = 0; t < t1 - t0; ++t)
            for (int64_t d = 0; d < hd; ++d) o[d] += p[t] * v[t * stride + d];
        }
      }
    }
  });
}

}  // namespace bitnet::model::detail
