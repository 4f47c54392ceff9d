// The decode engine: forward passes over a Model with a KV cache, on the project's kernels and
// thread pool. One engine = one sequence. Logits do not depend on the thread count.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "bitnet/engine/model.h"

namespace bitnet {
class ThreadPool;
}

namespace bitnet::model {
namespace detail {
class Numerics;
}

// KV cache element type. kF16 is llama.cpp's default and what the golden logits used: K/V are
// stored as f16, and (as ggml does) Q and the softmax weights are rounded to f16 for the dots.
enum class KvType { kF16, kF32 };

// Where the two reference runtimes round differently (kernels/model/numerics.h): llama.cpp (ggml)
// rounds the f32 input of every f16 matmul (softmax weights · f16 V, the F16 lm_head) to f16;
// bitnet.cpp's 2024 fork does so only for single-token batches and keeps f32 for prompt batches
// (docs/decode.md). kAuto: bitnet.cpp's rule for models with I2_S projections (a format only
// bitnet.cpp runs), llama.cpp's otherwise.
enum class AttnNumerics { kAuto, kLlamaCpp, kBitnetCpp };

struct EngineOptions {
  int n_threads = 1;
  int64_t n_ctx = 0;     // 0: the model's context_length
  int64_t n_batch = 64;  // tokens per prefill step (scratch grows with it)
  KvType kv_type = KvType::kF16;
  AttnNumerics attn_numerics = AttnNumerics::kAuto;
  // Follow the reference's float summation order too, not only its rounding points: with
  // bitnet.cpp's numerics and an f16 KV cache, attention and RoPE as its AVX-512 ggml computes
  // them, lane by lane (exact, but scalar: much slower attention; the cross-validation tools
  // use it, benchmarks do not). No effect with llama.cpp's numerics yet (docs/crossval.md).
  bool peer_float_order = false;
  // Optional probe: called after each layer with the residual stream of the batch
  // (n_tokens × n_embd floats, row-major). Tests use it; leave empty otherwise.
  std::function<void(int64_t layer, std::span<const float> x)> on_layer = nullptr;
};

// Where the time of forward passes went (wall clock, summed over calls since reset()).
struct Profile {
  enum Part : int {
    kEmbed,      // embedding row lookup
    kNorm,       // RMSNorms (incl. weight multiply)
    kQuantAct,   // activation quantization for the matmuls
    kMatQKV,     // attn_q/k/v
    kMatOut,     // attn_output
    kMatGateUp,  // ffn_gate + ffn_up
    kMatDown,    // ffn_down
    kRope,       // RoPE + KV cache store
    kAttention,  // QK, softmax, ·V
    kFfnAct,     // act(gate) * up, residual adds
    kLmHead,     // final norm excluded; logits = token_embd · h
    kCount
  };
  std::array<double, kCount> seconds{};
  int64_t tokens = 0;  // tokens processed
  static const char* name(int part);
  double total() const;
};

class Engine {
 public:
  Engine(const Model& model, const EngineOptions& opts);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Model& model() const { return model_; }
  int64_t n_ctx() const { return n_ctx_; }
  int64_t n_past() const { return n_past_; }  // tokens in the cache
  int64_t n_vocab() const { return model_.hparams().n_vocab; }

  // Decodes one token at position n_past() and returns its logits (valid until the next call).
  std::span<const float> forward(int32_t token);
  // The same at an explicit position 0 <= pos <= n_past(): positions >= pos are dropped first
  // (rewind, e.g. to re-decode from a shared prefix). Throws std::out_of_range otherwise.
  std::span<const float> forward(int32_t token, int64_t pos);
  // Prefill: appends tokens at n_past()... in batches of n_batch (batched GEMMs).
  // Returns the logits of the last token. If all_logits is given it receives
  // tokens.size() * n_vocab values, row i for tokens[i].
  std::span<const float> forward(std::span<const int32_t> tokens,
                                 std::vector<float>* all_logits = nullptr);

  // Greedy sampling: argmax, ties to the lowest id (as llama.cpp's greedy sampler).
  static int32_t argmax(std::span<const float> logits);

  void reset();  // empties the KV cache (and the profile)
  // For benchmarks (bench/bench_decode.cc): sets n_past() to n, 0 <= n <= n_ctx(), without a
  // forward pass. Positions that were never computed are zeroed (real memory, as many bytes as
  // real tokens), so the next forward pays the attention cost of n cached tokens; their
  // contents are meaningless, so logits after a forward seek are not a model output.
  void seek(int64_t n);
  const Profile& profile() const { return profile_; }
  void reset_profile() { profile_ = Profile{}; }
  // Bytes held by the KV cache and the scratch buffers.
  uint64_t kv_bytes() const;
  uint64_t scratch_bytes() const;

 private:
  struct Scratch;
  void forward_batch(const int32_t* tokens, int64_t n, bool want_all, float* logits_out);

  const Model& model_;
  EngineOptions opts_;
  int64_t n_ctx_ = 0;
  int64_t n_past_ = 0;
  std::unique_ptr<detail::Numerics> numerics_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Scratch> s_;
  std::vector<float> logits_;
  Profile profile_;
};

}  // namespace bitnet::model
