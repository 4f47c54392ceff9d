// A ternary model (arch table: bitnet/engine/arch.h): typed views of a source's tensors (no weight
// copies), checked once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bitnet/engine/hparams.h"
#include "bitnet/engine/tensor_view.h"
#include "bitnet/formats/types.h"

namespace bitnet::model {

// A 2-D weight inside the mapping: `rows` rows of `cols` elements (cols = ne0 = input features).
struct Weight {
  std::string name;
  TypeId type = TypeId::kF32;
  const uint8_t* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  size_t row_bytes = 0;
  float tensor_scale = 1.0f;  // I2_S: the per-tensor scale stored after the codes
  float out_scale = 1.0f;     // optional `<name>.scale` tensor (one value) multiplied into outputs
  uint64_t bytes() const { return static_cast<uint64_t>(rows) * row_bytes; }
};

struct Layer {
  const float* attn_norm = nullptr;
  const float* attn_sub_norm = nullptr;  // null when the arch has no sub-norms
  const float* ffn_norm = nullptr;
  const float* ffn_sub_norm = nullptr;  // null when the arch has no sub-norms
  Weight wq, wk, wv, wo, w_gate, w_up, w_down;
};

class Model {
 public:
  // Checks every tensor's presence, type and shape; throws FieldError naming the source, tensor
  // and offset on any mismatch. Takes over the view's owner (the mapping stays alive with the
  // Model) and populates the mapping's pages up front. A GGUF file's view:
  // bitnet/fixtures/model_view.h.
  static Model from_view(ModelView view);

  const HParams& hparams() const { return hp_; }
  const Weight& tok_embd() const { return tok_embd_; }
  // output.weight when the file has one (arch llama), else token_embd (tied).
  const Weight& lm_head() const { return has_output_ ? output_ : tok_embd_; }
  const float* output_norm() const { return output_norm_; }
  const std::vector<Layer>& layers() const { return layers_; }
  // Token pieces from tokenizer.ggml.tokens (empty when the file has no vocab).
  const std::vector<std::string>& pieces() const { return pieces_; }
  // Bytes of weights read per decoded token (all projections + the lm_head).
  uint64_t weight_bytes_per_token() const;

 private:
  explicit Model(std::shared_ptr<const void> owner) : owner_(std::move(owner)) {}
  std::shared_ptr<const void> owner_;
  HParams hp_;
  Weight tok_embd_;
  Weight output_;
  bool has_output_ = false;
  const float* output_norm_ = nullptr;
  std::vector<Layer> layers_;
  std::vector<std::string> pieces_;
};

// Formats the engine can multiply with (projections) and look up / use as lm_head (embeddings).
bool is_projection_type(TypeId t);  // TQ1_0, TQ2_0, I2_S, F32, F16, Q4_0, Q8_0
bool is_embedding_type(TypeId t);   // F32, F16, Q8_0, Q6_K, Q4_0 (token_embd and output)

// Text of a token piece for printing: SPM '▁' -> ' ', <0xNN> -> that byte.
std::string piece_text(const std::string& piece);

}  // namespace bitnet::model
