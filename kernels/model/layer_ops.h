// Small per-token ops of the BitNet graph, written to follow ggml's arithmetic (see each note).
#pragma once

#include <cstdint>

#include "bitnet/engine/hparams.h"
#include "bitnet/engine/model.h"

namespace bitnet::model::detail {

// y = (x * 1/sqrt(mean(x²) + eps)) * w. As ggml_rms_norm + ggml_mul: squares in f32, their sum in
// double, the mean and scale in f32. y may alias x.
void rms_norm(const float* x, const float* w, int64_t n, float eps, float* y);

// NEOX RoPE in place on one head: pairs (i, i + n_rot/2), theta_i = pos * base^(-2i/n_rot),
// computed as ggml's rope cache does (theta *= theta_scale in f32). Dims >= n_rot are untouched.
void rope_neox(float* head, int64_t n_rot, int64_t pos, float freq_base);
// rope_neox split in two, so a position's angles are computed once for all heads and layers:
// cs[i], sn[i] (i < n_rot/2) = cos/sin of theta_i, then the rotation with them (bit-identical).
void rope_angles(int64_t n_rot, int64_t pos, float freq_base, float* cs, float* sn);
void rope_neox_apply(float* head, int64_t n_rot, const float* cs, const float* sn);
// The same rotation as ggml's rope compiled with FMA contraction (the peers' -march=native
// builds): x0·cos − x1·sin as fma(x0, cos, −(x1·sin)), x0·sin + x1·cos as fma(x0, sin, x1·cos).
void rope_neox_apply_fma(float* head, int64_t n_rot, const float* cs, const float* sn);

// NORM RoPE (LLAMA_ROPE_TYPE_NORM, arch llama): adjacent pairs (2i, 2i + 1) rotated by theta_i,
// with the angles of rope_angles; the _fma variant contracts as rope_neox_apply_fma does.
void rope_norm_apply(float* head, int64_t n_rot, const float* cs, const float* sn);
void rope_norm_apply_fma(float* head, int64_t n_rot, const float* cs, const float* sn);

// h[i] = act(gate[i]) * up[i]; act = SiLU (x / (1 + e^-x)) or ReLU².
void ffn_activation(FfnAct act, const float* gate, const float* up, float* h, int64_t n);

// Row `token` of the embedding, as f32 (ggml_get_rows; Q6_K/Q8_0 dequantized).
void embedding_row(const Weight& embd, int64_t token, float* out);

}  // namespace bitnet::model::detail
