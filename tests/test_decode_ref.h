// A naive double-precision reference forward pass for BitNet b1.58 GGUF models (tests only).
// Weights are dequantized to double with scalar code written from the format descriptions
// (docs/background.md §1), independent of the kernels library; the forward pass is straightforward
// loops over the whole sequence. Optionally it rounds activations at the same points as the engine
// / llama.cpp (activation quantization, f16 KV cache) so the comparison can be tight.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bitnet/engine/hparams.h"
#include "bitnet/formats/types.h"
#include "bitnet/gguf/gguf.h"

namespace bitnet::testref {

// Elements of a tensor of `n` elements of type `type` at `src`, as double.
std::vector<double> dequantize(TypeId type, const uint8_t* src, int64_t n);

struct RefOptions {
  // Quantize each matmul input as the weight format's kernel does: Q8_K (TQ1_0/TQ2_0/Q6_K),
  // I8_S per token (I2_S), f16 (F16), Q8_0 (Q8_0). F32 weights see exact inputs.
  bool emulate_acts = false;
  // Round K, V and Q to f16 (ggml's default f16 KV cache).
  bool f16_kv = false;
  // Round the softmax weights to f16 before ·V (llama.cpp with an f16 cache; not bitnet.cpp).
  bool f16_softmax_weights = false;
};

struct RefMatrix {
  TypeId type = TypeId::kF32;
  int64_t rows = 0, cols = 0;
  std::vector<double> w;  // rows*cols, dequantized (I2_S scale and .scale tensor applied)
};

class RefModel {
 public:
  explicit RefModel(const gguf::File& file);
  const model::HParams& hparams() const { return hp_; }
  // Logits [tokens.size()][n_vocab]: row i predicts the token after tokens[i] (positions 0..).
  std::vector<std::vector<double>> forward(std::span<const int32_t> tokens,
                                           const RefOptions& opts) const;

 private:
  struct Layer {
    std::vector<double> attn_norm, attn_sub_norm, ffn_norm, ffn_sub_norm;
    RefMatrix wq, wk, wv, wo, gate, up, down;
  };
  model::HParams hp_;
  RefMatrix embd_;
  std::vector<double> output_norm_;
  std::vector<Layer> layers_;
};

}  // namespace bitnet::testref
