#include "bitnet/engine/engine.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention.h"
#include "attention_ggml512.h"
#include "bitnet/kernels/threadpool.h"
#include "layer_ops.h"
#include "linear.h"
#include "numerics.h"

namespace bitnet::model {

using detail::Acts;

const char* Profile::name(int part) {
  static const char* const kNames[kCount] = {
      "embed",       "norm",    "quant_act", "matmul_qkv",       "matmul_out", "matmul_gate_up",
      "matmul_down", "rope_kv", "attention", "ffn_act_residual", "lm_head"};
  return part >= 0 && part < kCount ? kNames[part] : "?";
}

double Profile::total() const {
  double t = 0.0;
  for (double s : seconds) t += s;
  return t;
}

// Working memory for one batch of up to n_batch tokens: O(n_batch × max(hidden, ffn)).
struct Engine::Scratch {
  Scratch(const HParams& hp, int64_t nb, int threads, KvType kv_type, int64_t n_ctx)
      : kv(kv_type, hp.n_layer, n_ctx, hp.kv_dim()) {
    const int64_t wide = std::max(hp.n_embd, hp.q_dim());
    x.resize(nb * hp.n_embd);
    xn.resize(nb * wide);
    q.resize(nb * hp.q_dim());
    k.resize(nb * hp.kv_dim());
    v.resize(nb * hp.kv_dim());
    attn.resize(nb * hp.q_dim());
    o.resize(nb * hp.n_embd);
    gate.resize(nb * hp.n_ff);
    up.resize(nb * hp.n_ff);
    // Default-initialised like the KV cache: a thread's score rows are written before they are
    // read, so only the positions a run reaches ever become resident (64 threads x 4 M context
    // no longer zero-fills 2 GB up front).
    att_scratch_n = static_cast<size_t>(
        threads * detail::attention_scratch_floats({hp.n_head, hp.n_head_kv, hp.head_dim}, n_ctx));
    att_scratch.reset(new float[att_scratch_n]);
    acts.reserve(std::max(wide, hp.n_ff), nb);
  }
  uint64_t bytes() const {
    uint64_t f = x.size() + xn.size() + q.size() + k.size() + v.size() + attn.size() + o.size() +
                 gate.size() + up.size() + att_scratch_n;
    return f * sizeof(float);
  }
  detail::KvCache kv;
  std::vector<float> x, xn, q, k, v, attn, o, gate, up;
  std::unique_ptr<float[]> att_scratch;
  size_t att_scratch_n = 0;
  Acts acts;
};

Engine::Engine(const Model& model, const EngineOptions& opts) : model_(model), opts_(opts) {
  const HParams& hp = model.hparams();
  if (opts.n_threads < 1) throw std::invalid_argument("n_threads must be >= 1");
  if (opts.n_batch < 1) throw std::invalid_argument("n_batch must be >= 1");
  if (opts.n_ctx < 0) throw std::invalid_argument("n_ctx must be >= 0");
  n_ctx_ = opts.n_ctx == 0 ? hp.n_ctx_train : opts.n_ctx;
  pool_ = std::make_unique<ThreadPool>(opts.n_threads);
  s_ = std::make_unique<Scratch>(hp, opts.n_batch, opts.n_threads, opts.kv_type, n_ctx_);
  logits_.resize(static_cast<size_t>(hp.n_vocab));
  numerics_ = std::make_unique<detail::Numerics>(
      opts.attn_numerics, opts.peer_float_order && opts.kv_type == KvType::kF16, model);
}

Engine::~Engine() = default;

uint64_t Engine::kv_bytes() const {
  return s_->kv.bytes();
}
uint64_t Engine::scratch_bytes() const {
  return s_->bytes() + logits_.size() * sizeof(float);
}

void Engine::seek(int64_t n) {
  if (n < 0 || n > n_ctx_)
    throw std::out_of_range("seek to " + std::to_string(n) + " outside [0, n_ctx " +
                            std::to_string(n_ctx_) + "]");
  if (n > n_past_) s_->kv.zero(n_past_, n);
  n_past_ = n;
}

void Engine::reset() {
  n_past_ = 0;
  reset_profile();
}

int32_t Engine::argmax(std::span<const float> logits) {
  if (logits.empty()) throw std::invalid_argument("argmax of empty logits");
  size_t best = 0;
  for (size_t i = 1; i < logits.size(); ++i)
    if (logits[i] > logits[best]) best = i;
  return static_cast<int32_t>(best);
}

std::span<const float> Engine::forward(int32_t token) {
  forward_batch(&token, 1, false, logits_.data());
  return logits_;
}

std::span<const float> Engine::forward(int32_t token, int64_t pos) {
  if (pos < 0 || pos > n_past_)
    throw std::out_of_range("position " + std::to_string(pos) +
                            " outside [0, n_past = " + std::to_string(n_past_) + "]");
  n_past_ = pos;
  return forward(token);
}

std::span<const float> Engine::forward(std::span<const int32_t> tokens,
                                       std::vector<float>* all_logits) {
  if (tokens.empty()) throw std::invalid_argument("forward: no tokens");
  const int64_t V = n_vocab();
  if (all_logits) all_logits->assign(tokens.size() * static_cast<size_t>(V), 0.0f);
  for (size_t i = 0; i < tokens.size(); i += static_cast<size_t>(opts_.n_batch)) {
    const int64_t n = std::min<int64_t>(opts_.n_batch, static_cast<int64_t>(tokens.size() - i));
    const bool last = i + static_cast<size_t>(n) == tokens.size();
    if (all_logits) {
      forward_batch(tokens.data() + i, n, true, all_logits->data() + i * V);
    } else {
      forward_batch(tokens.data() + i, n, false, last ? logits_.data() : nullptr);
    }
  }
  if (all_logits) std::copy(all_logits->end() - V, all_logits->end(), logits_.begin());
  return logits_;
}

namespace {

class Timer {
 public:
  explicit Timer(Profile& p) : p_(p), t_(std::chrono::steady_clock::now()) {}
  // Adds the time since the last lap to `part`.
  void lap(int part) {
    const auto now = std::chrono::steady_clock::now();
    p_.seconds[part] += std::chrono::duration<double>(now - t_).count();
    t_ = now;
  }

 private:
  Profile& p_;
  std::chrono::steady_clock::time_point t_;
};

}  // namespace

void Engine::forward_batch(const int32_t* tokens, int64_t n, bool want_all, float* logits_out) {
  const HParams& hp = model_.hparams();
  const int64_t E = hp.n_embd, QD = hp.q_dim(), KVD = hp.kv_dim(), F = hp.n_ff;
  if (n_past_ + n > n_ctx_)
    throw std::runtime_error("context full: " + std::to_string(n_past_ + n) +
                             " tokens exceed n_ctx " + std::to_string(n_ctx_));
  for (int64_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= hp.n_vocab)
      throw std::out_of_range("token id " + std::to_string(tokens[i]) + " outside the vocab [0, " +
                              std::to_string(hp.n_vocab) + ")");
  Scratch& s = *s_;
  ThreadPool& pool = *pool_;
  Acts& acts = s.acts;
  const int64_t pos0 = n_past_;
  const detail::AttentionShape shape{hp.n_head, hp.n_head_kv, hp.head_dim};
  Timer timer(profile_);
  acts.quant_seconds = 0.0;

  for (int64_t i = 0; i < n; ++i) detail::embedding_row(model_.tok_embd(), tokens[i], &s.x[i * E]);
  timer.lap(Profile::kEmbed);

  // Runs a matmul and books it (minus the activation quantization it triggered) under `part`.
  auto matmul = [&](const Weight& w, float* y, int part) {
    const double q0 = acts.quant_seconds;
    detail::linear(w, acts, y, pool, numerics_->round_f16_input(acts.n(), acts.k()),
                   numerics_->ggml512_order() && !numerics_->bitnet_cpp());
    timer.lap(part);
    const double dq = acts.quant_seconds - q0;
    profile_.seconds[part] -= dq;
    profile_.seconds[Profile::kQuantAct] += dq;
  };
  // The per-token element-wise steps of a batch, split over the pool by token (each token's
  // values are computed exactly as alone, so results do not depend on the split). A single
  // token (decode) runs inline: a pool round trip costs more than its few microseconds.
  auto per_token = [&](const std::function<void(int64_t i)>& fn) {
    pool.parallel_ranges(n, 1, 4, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) fn(i);
    });
  };
  auto norm_rows = [&](const float* in, const float* w, int64_t dim, float* out) {
    per_token(
        [&](int64_t i) { detail::rms_norm(in + i * dim, w, dim, hp.rms_eps, out + i * dim); });
    timer.lap(Profile::kNorm);
  };
  auto add_residual = [&](const float* d) {
    per_token([&](int64_t i) {
      for (int64_t j = i * E; j < (i + 1) * E; ++j) s.x[j] += d[j];
    });
    timer.lap(Profile::kFfnAct);
  };

  // RoPE angles of the batch's positions, shared by every head and layer: cos then sin.
  std::vector<float> rope(static_cast<size_t>(n * hp.n_rot));
  per_token([&](int64_t i) {
    float* cs = &rope[i * hp.n_rot];
    detail::rope_angles(hp.n_rot, pos0 + i, hp.rope_freq_base, cs, cs + hp.n_rot / 2);
  });

  for (int64_t il = 0; il < hp.n_layer; ++il) {
    const Layer& L = model_.layers()[il];
    norm_rows(s.x.data(), L.attn_norm, E, s.xn.data());
    acts.set(s.xn.data(), E, n);
    matmul(L.wq, s.q.data(), Profile::kMatQKV);
    matmul(L.wk, s.k.data(), Profile::kMatQKV);
    matmul(L.wv, s.v.data(), Profile::kMatQKV);

    per_token([&](int64_t i) {
      const float* cs = &rope[i * hp.n_rot];
      const float* sn = cs + hp.n_rot / 2;
      const bool fma = numerics_->ggml512_order();
      const auto rope = hp.rope_type == RopeType::kNorm
                            ? (fma ? detail::rope_norm_apply_fma : detail::rope_norm_apply)
                            : (fma ? detail::rope_neox_apply_fma : detail::rope_neox_apply);
      for (int64_t h = 0; h < hp.n_head; ++h)
        rope(&s.q[i * QD + h * hp.head_dim], hp.n_rot, cs, sn);
      for (int64_t h = 0; h < hp.n_head_kv; ++h)
        rope(&s.k[i * KVD + h * hp.head_dim], hp.n_rot, cs, sn);
      s.kv.store(il, pos0 + i, &s.k[i * KVD], &s.v[i * KVD]);  // distinct positions per token
    });
    timer.lap(Profile::kRope);

    if (numerics_->ggml512_order())
      detail::attention_ggml512(s.kv, il, shape, s.q.data(), n, pos0, numerics_->bitnet_cpp(),
                                s.attn.data(), pool);
    else
      detail::attention(s.kv, il, shape, s.q.data(), n, pos0, numerics_->round_f16_input(n, 0),
                        s.attn.data(), s.att_scratch.get(), pool);
    timer.lap(Profile::kAttention);

    if (L.attn_sub_norm != nullptr) {
      norm_rows(s.attn.data(), L.attn_sub_norm, QD, s.xn.data());
      acts.set(s.xn.data(), QD, n);
    } else {
      acts.set(s.attn.data(), QD, n);
    }
    matmul(L.wo, s.o.data(), Profile::kMatOut);
    add_residual(s.o.data());

    norm_rows(s.x.data(), L.ffn_norm, E, s.xn.data());
    acts.set(s.xn.data(), E, n);
    matmul(L.w_gate, s.gate.data(), Profile::kMatGateUp);
    matmul(L.w_up, s.up.data(), Profile::kMatGateUp);
    per_token([&](int64_t i) {
      detail::ffn_activation(hp.ffn_act, &s.gate[i * F], &s.up[i * F], &s.gate[i * F], F);
    });
    timer.lap(Profile::kFfnAct);
    if (L.ffn_sub_norm != nullptr) norm_rows(s.gate.data(), L.ffn_sub_norm, F, s.gate.data());
    acts.set(s.gate.data(), F, n);
    matmul(L.w_down, s.o.data(), Profile::kMatDown);
    add_residual(s.o.data());
    if (opts_.on_layer) opts_.on_layer(il, std::span<const float>(s.x.data(), n * E));
  }

  if (logits_out != nullptr) {
    const int64_t first = want_all ? 0 : n - 1;
    const int64_t rows = n - first;
    for (int64_t i = first; i < n; ++i)
      detail::rms_norm(&s.x[i * E], model_.output_norm(), E, hp.rms_eps, &s.xn[(i - first) * E]);
    timer.lap(Profile::kNorm);
    acts.set(s.xn.data(), E, rows);
    matmul(model_.lm_head(), logits_out, Profile::kLmHead);
  }
  n_past_ += n;
  profile_.tokens += n;
}

}  // namespace bitnet::model
