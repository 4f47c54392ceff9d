// Where the engine rounds to follow one reference runtime or the other. Both run ggml, but the
// 2024 bitnet.cpp fork (llama.cpp merge-dev 406a503) still has llamafile's sgemm take f16 x f32
// matmuls in f32 whenever the batch has >= 2 columns (`if (n < 2) return false` in
// llamafile_sgemm, and k % 8 == 0 for its AVX2 tiles); a single column (decode) falls back to
// ggml's vec_dot_f16, which first rounds the f32 input to f16. Current llama.cpp rounds always.
// That one rule decides both f16 sites of the graph: softmax weights · V (f16 cache) and the
// F16 lm_head.
#pragma once

#include <cstdint>

#include "bitnet/engine/engine.h"

namespace bitnet::model::detail {

class Numerics {
 public:
  // kAuto: bitnet.cpp's rule for models with I2_S projections (a format only bitnet.cpp runs).
  Numerics(AttnNumerics requested, bool peer_float_order, const Model& model);
  bool bitnet_cpp() const { return bitnet_cpp_; }
  // EngineOptions::peer_float_order with an f16 cache: the float order of the peer's ggml built
  // for AVX-512 — attention (attention_ggml512.h), RoPE with ggml's FMA contraction, SiLU with
  // ggml_v_expf (ggml_expf.h), F16/F32 matmuls as tinyBLAS / vec_dot_f16 (ggml_dot512.h) and
  // (llama.cpp) the TQ2_0 / TQ1_0 dots with their x86 per-lane epilogue (tq_dot_ggml_x86.h).
  // With it our prompt-batch logits equal llama.cpp's bit for bit on the tiny TQ models, and our
  // I2_S distributions equal bitnet.cpp's (docs/crossval.md).
  bool ggml512_order() const { return ggml512_order_; }
  // Is the f32 input of an f16 matmul with `n_cols` columns and inner size `k` rounded to f16?
  bool round_f16_input(int64_t n_cols, int64_t k) const {
    return !bitnet_cpp_ || n_cols < 2 || k % 8 != 0;
  }

 private:
  bool bitnet_cpp_ = false;
  bool ggml512_order_ = false;
};

}  // namespace bitnet::model::detail
