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
// KV positions per scores task of a decode step (the scores do not depend on the split).
constexpr int64_t kChunk = 256;

bool streamed(const KvCache& kv, const AttentionShape& sh) {
  return kv.type() == KvType::kF16 && sh.head_dim % 16 == 0 && sh.head_dim <= kAttnMaxDim;
}

int64_t blocked_floats(const AttentionShape& sh, int64_t n_ctx) {
  const int64_t group = sh.n_head / sh.n_head_kv;
  return group * (n_ctx + sh.head_dim) + kRowBlock * sh.head_dim;
}

// A decode step's scores of every head, shared by the threads, in front of the per-thread areas.
int64_t shared_floats(const AttentionShape& sh, int64_t n_ctx) {
  return sh.n_head * n_ctx;
}

// Causal attention over the f16 cache with the registry's attn_qk / attn_pv kernels: the scores of
// all query heads of a KV head in one pass over its K rows, ggml's softmax, then the weighted sum
// in one pass over its V rows (each row read once for the group, widened on the fly). The same
// arithmetic as the blocked dot/axpy path below (the bits of ggml's AVX2 code). A decode step at
// a long context splits the K pass by positions and the V pass by output halves, so both cores
// stream; otherwise a task per token and KV head. The bits are those of either split.
void attention_streamed(const KvCache& kv, int64_t layer, const AttentionShape& sh, const float* q,
                        int64_t n, int64_t pos0, bool round_weights_f16, float* out, float* scratch,
                        ThreadPool& pool) {
  const DenseKernels dk = dense_kernels();
  const int64_t hd = sh.head_dim, q_dim = sh.n_head * hd, group = sh.n_head / sh.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const size_t row_bytes = static_cast<size_t>(sh.n_head_kv * hd) * sizeof(fp16_t);
  const int64_t n_ctx = kv.n_ctx();
  float* shared = scratch;
  float* per_thread = scratch + shared_floats(sh, n_ctx);
  const int64_t thread_floats = blocked_floats(sh, n_ctx);

  const auto k_rows = [&](int64_t kvh, int64_t t0) {
    return static_cast<const fp16_t*>(kv.k_row(layer, t0)) + kvh * hd;
  };
  const auto v_rows = [&](int64_t kvh, int64_t d0) {
    return static_cast<const fp16_t*>(kv.v_row(layer, 0)) + kvh * hd + d0;
  };
  // ggml rounds Q to f16 for an f16 K cache (then widened back: exact).
  const auto round_q = [&](int64_t i, int64_t kvh, float* qw) {
    const float* qh = q + i * q_dim + kvh * group * hd;
    for (int64_t d = 0; d < group * hd; ++d) qw[d] = fp16_to_fp32(fp32_to_fp16(qh[d]));
  };
  // ggml_soft_max_ext over one head's scores (the sum in double), weights to f16 for llama.cpp.
  const auto softmax = [&](float* sj, int64_t n_kv) {
    float mx = -INFINITY;
    for (int64_t t = 0; t < n_kv; ++t) mx = std::fmax(mx, sj[t]);
    const double sum = dk.exp_sum(sj, n_kv, mx);
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t t = 0; t < n_kv; ++t) sj[t] *= inv;
    if (round_weights_f16) dk.round_f16(sj, sj, n_kv);
  };

  const int64_t n_kv_last = pos0 + n;
  if (n == 1 && n_kv_last > kChunk) {
    const int64_t chunks = (n_kv_last + kChunk - 1) / kChunk;
    pool.parallel_for(sh.n_head_kv * chunks, [&](int64_t task, int thread) {
      const int64_t kvh = task / chunks, t0 = task % chunks * kChunk;
      float* qw = per_thread + thread * thread_floats;
      round_q(0, kvh, qw);
      dk.attn_qk(qw, group, k_rows(kvh, t0), row_bytes, std::min(kChunk, n_kv_last - t0), hd, scale,
                 shared + kvh * group * n_ctx + t0, n_ctx);
    });
    pool.parallel_for(sh.n_head, [&](int64_t h, int) { softmax(shared + h * n_ctx, n_kv_last); });
    const int64_t parts = hd / 2 % 16 == 0 ? 2 : 1, width = hd / parts;
    pool.parallel_for(sh.n_head_kv * parts, [&](int64_t task, int) {
      const int64_t kvh = task / parts, d0 = task % parts * width;
      float* o = out + kvh * group * hd + d0;
      for (int64_t j = 0; j < group; ++j) std::fill(o + j * hd, o + j * hd + width, 0.0f);
      dk.attn_pv(shared + kvh * group * n_ctx, n_ctx, group, v_rows(kvh, d0), row_bytes, n_kv_last,
                 width, o, hd);
    });
    return;
  }
  pool.parallel_for(n * sh.n_head_kv, [&](int64_t task, int thread) {
    const int64_t i = task / sh.n_head_kv, kvh = task % sh.n_head_kv;
    const int64_t n_kv = pos0 + i + 1;                    // causal: positions 0..pos0+i
    float* scores = per_thread + thread * thread_floats;  // [group][n_ctx]
    float* qw = scores + group * n_ctx;
    round_q(i, kvh, qw);
    dk.attn_qk(qw, group, k_rows(kvh, 0), row_bytes, n_kv, hd, scale, scores, n_ctx);
    for (int64_t j = 0; j < group; ++j) softmax(scores + j * n_ctx, n_kv);
    float* o = out + i * q_dim + kvh * group * hd;
    std::fill(o, o + group * hd, 0.0f);
    dk.attn_pv(scores, n_ctx, group, v_rows(kvh, 0), row_bytes, n_kv, hd, o, hd);
  });
}

}  // namespace

int64_t attention_scratch_floats(const AttentionShape& sh, int64_t n_ctx) {
  return blocked_floats(sh, n_ctx) + shared_floats(sh, n_ctx);
}

void attention(const KvCache& kv, int64_t layer, const AttentionShape& sh, const float* q,
               int64_t n, int64_t pos0, bool round_weights_f16, float* out, float* scratch,
               ThreadPool& pool) {
  if (streamed(kv, sh)) {
    attention_streamed(kv, layer, sh, q, n, pos0, round_weights_f16, out, scratch, pool);
    return;
  }
  // Otherwise (an f32 cache, or a head size the kernel does not take) scores for all positions
  // first, then the softmax, then ·V.
  const DenseKernels dk = dense_kernels();
  const int64_t hd = sh.head_dim;
  const int64_t q_dim = sh.n_head * hd;
  const int64_t group = sh.n_head / sh.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const bool f16 = kv.type() == KvType::kF16;
  const int64_t n_ctx = kv.n_ctx();
  const int64_t per_thread = attention_scratch_floats(sh, n_ctx);  // its own area per thread

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
