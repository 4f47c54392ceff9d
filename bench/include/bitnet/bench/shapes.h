// THE shape tables: the real layer shapes of the BitNet models we benchmark, and the batch sizes
// and sizes every family runs at. Cases are registered from these tables, never hand-listed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bitnet::bench {

struct ModelDims {
  std::string_view name;  // as in fixtures' synthetic shapes: "2b4t", "bitnet-0.7b", "3b", "8b"
  int64_t n_embd;
  int64_t n_ff;
  int64_t n_head;
  int64_t n_head_kv;
  int64_t kv_dim() const { return n_embd / n_head * n_head_kv; }
};

// One weight matrix: M output rows of K inputs (y = W·x).
struct MatShape {
  std::string_view model;
  std::string_view role;  // "attn_q/o", "attn_k/v", "ffn_gate/up", "ffn_down"
  int64_t M;
  int64_t K;
};

// 2B4T first (the default model), then 0.7B, 3B, 8B.
const std::vector<ModelDims>& model_dims();

// The distinct matrix shapes of one model (attn_q and attn_o share a shape; so do k/v and
// gate/up), in the order q/o, k/v, gate/up, down.
std::vector<MatShape> mat_shapes(const ModelDims& m);

// Every model's shapes, 2B4T first; duplicates across models removed.
std::vector<MatShape> all_mat_shapes();

// Activation columns (tokens): 1 = decode GEMV, 8/32/128 = batched (prefill) GEMM.
inline const std::vector<int64_t>& matmul_batches() {
  static const std::vector<int64_t> n = {1, 8, 32, 128};
  return n;
}

// Decode positions (attention cost grows with the number of cached tokens) and prefill length.
inline const std::vector<int64_t>& decode_positions() {
  static const std::vector<int64_t> p = {16, 512, 2048};
  return p;
}
inline constexpr int64_t kPrefillTokens = 128;

}  // namespace bitnet::bench
