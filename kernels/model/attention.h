// KV cache and causal GQA attention for one layer.
#pragma once

#include <cstdint>
#include <memory>

#include "bitnet/engine/engine.h"
#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/threadpool.h"

namespace bitnet::model::detail {

// K and V per layer as [pos][kv_dim], f16 or f32. Allocated without touching the pages, so
// resident memory grows with the positions actually used.
class KvCache {
 public:
  KvCache(KvType type, int64_t n_layer, int64_t n_ctx, int64_t kv_dim);
  KvType type() const { return type_; }
  int64_t n_ctx() const { return n_ctx_; }
  uint64_t bytes() const;
  void store(int64_t layer, int64_t pos, const float* k, const float* v);
  // Zeroes positions [begin, end) of every layer (Engine::seek).
  void zero(int64_t begin, int64_t end);
  const void* k_row(int64_t layer, int64_t pos) const;
  const void* v_row(int64_t layer, int64_t pos) const;

 private:
  size_t index(int64_t layer, int64_t pos) const;
  KvType type_;
  int64_t n_layer_, n_ctx_, kv_dim_;
  size_t elem_;
  std::unique_ptr<uint8_t[]> k_, v_;
};

struct AttentionShape {
  int64_t n_head, n_head_kv, head_dim;
};

// out[i][h*head_dim + d] for tokens i < n at positions pos0 + i, attending to cache positions
// 0..pos0+i. Follows ggml (non-flash path): scores = K·Q scaled by 1/sqrt(head_dim) in
// soft_max_ext; with an f16 cache Q is rounded to f16 for K·Q, and (round_weights_f16, llama.cpp)
// the softmax weights for ·V. An f16 cache (head_dim a multiple of 16) is streamed by the
// registry's attn_qk / attn_pv kernels, a decode step's passes split across the threads; the bits
// do not depend on the thread count or the batch. scratch needs pool.size() *
// attention_scratch_floats() floats.
int64_t attention_scratch_floats(const AttentionShape& shape, int64_t n_ctx);
void attention(const KvCache& kv, int64_t layer, const AttentionShape& shape, const float* q,
               int64_t n, int64_t pos0, bool round_weights_f16, float* out, float* scratch,
               ThreadPool& pool);

}  // namespace bitnet::model::detail
