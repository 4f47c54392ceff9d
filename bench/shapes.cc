#include "bitnet/bench/shapes.h"

#include <algorithm>

namespace bitnet::bench {

const std::vector<ModelDims>& model_dims() {
  // docs/background.md §2: 2B4T (bitnet-b1.58-2B-4T), bitnet_b1_58-large (0.7B), bitnet_b1_58-3B,
  // Llama3-8B-1.58 (GQA: 8 KV heads of 128 -> kv 1024).
  static const std::vector<ModelDims> dims = {
      {"2b4t", 2560, 6912, 20, 5},
      {"bitnet-0.7b", 1536, 4096, 16, 16},
      {"3b", 3200, 8640, 32, 32},
      {"8b", 4096, 14336, 32, 8},
  };
  return dims;
}

std::vector<MatShape> mat_shapes(const ModelDims& m) {
  std::vector<MatShape> out = {{m.name, "attn_q/o", m.n_embd, m.n_embd}};
  if (m.kv_dim() != m.n_embd) out.push_back({m.name, "attn_k/v", m.kv_dim(), m.n_embd});
  out.push_back({m.name, "ffn_gate/up", m.n_ff, m.n_embd});
  out.push_back({m.name, "ffn_down", m.n_embd, m.n_ff});
  return out;
}

std::vector<MatShape> all_mat_shapes() {
  std::vector<MatShape> out;
  for (const auto& m : model_dims()) {
    for (const auto& s : mat_shapes(m)) {
      bool dup = std::any_of(out.begin(), out.end(),
                             [&](const MatShape& o) { return o.M == s.M && o.K == s.K; });
      if (!dup) out.push_back(s);
    }
  }
  return out;
}

}  // namespace bitnet::bench
