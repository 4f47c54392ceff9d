// Hyper-parameters of a BitNet b1.58 model (a GGUF file's `<arch>.*` keys: docs/decode.md).
#pragma once

#include <cstdint>
#include <string>

namespace bitnet::model {

// The FFN activation is the only graph difference between the two supported archs.
enum class FfnAct { kSilu, kReluSquared };

struct HParams {
  std::string arch;  // "bitnet" (llama.cpp, SiLU) or "bitnet-b1.58" (bitnet.cpp 2B4T, ReLU²)
  FfnAct ffn_act = FfnAct::kSilu;
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // n_embd / n_head
  int64_t n_rot = 0;  // rope.dimension_count (≤ head_dim; the rest of each head is not rotated)
  int64_t n_ff = 0;
  int64_t n_ctx_train = 0;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;

  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

}  // namespace bitnet::model
