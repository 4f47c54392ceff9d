// Attention in the float order of ggml's CPU backend built for AVX-512 (as the golden files and
// the peers measured here were). A single token: K·Q and weights·V with ggml_vec_dot_f16 (4 ×
// 16-lane FMA accumulators per 64 values, leftovers summed in double), weights rounded to f16.
// A batch goes through llamafile's tinyBLAS (one 16-lane FMA accumulator per output) where it
// accepts the types: llama.cpp (f16 × f16) for K·Q and weights·V, weights rounded to f16;
// bitnet.cpp's 2024 fork (f16 × f32) for weights·V only, weights in f32, K·Q by vec_dot_f16.
// The softmax: over the KV length padded to 32, ggml_v_expf, summed per 16 lanes into a double.
// Each accumulator lane is emulated in scalar code: exact, not fast. f16 KV cache only.
#pragma once

#include <cstdint>

#include "attention.h"

namespace bitnet::model::detail {

void attention_ggml512(const KvCache& kv, int64_t layer, const AttentionShape& shape,
                       const float* q, int64_t n, int64_t pos0, bool bitnet_cpp, float* out,
                       ThreadPool& pool);

}  // namespace bitnet::model::detail
