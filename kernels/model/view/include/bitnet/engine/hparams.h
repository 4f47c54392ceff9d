// Hyper-parameters of a ternary model (a GGUF file's `<arch>.*` keys: docs/decode.md).
#pragma once

#include <cstdint>
#include <string>

#include "bitnet/engine/arch.h"

namespace bitnet::model {

struct HParams {
  std::string arch;  // general.architecture, a row of kArchs (arch.h)
  FfnAct ffn_act = FfnAct::kSilu;
  RopeType rope_type = RopeType::kNeox;
  bool sub_norms = true;       // the BitNet sub-norms (arch.h)
  bool output_tensor = false;  // an untied output.weight is allowed (arch.h)
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // attention.key_length (= value_length), default n_embd / n_head
  int64_t n_rot = 0;  // rope.dimension_count (≤ head_dim; the rest of each head is not rotated)
  int64_t n_ff = 0;
  int64_t n_ctx_train = 0;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;

  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

}  // namespace bitnet::model
