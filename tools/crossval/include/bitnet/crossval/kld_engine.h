// Our engine over llama-perplexity's chunking: n_ctx-token chunks, each from an empty KV cache,
// the first token replaced by BOS when the vocabulary adds one, fed in batches of n_batch;
// the rows of positions n_ctx/2 .. n_ctx-2 are the ones scored (and stored in base files).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "bitnet/crossval/kld_base.h"
#include "bitnet/crossval/kld_stats.h"
#include "bitnet/engine/engine.h"

namespace bitnet::crossval {

// What llama.cpp's tokenizer setup decides for the chunk starts (tokenizer.ggml.add_bos_token,
// default true for SentencePiece vocabularies; tokenizer.ggml.bos_token_id, default 1).
struct BosRule {
  bool add_bos = true;
  int32_t bos_id = 1;
};
BosRule read_bos_rule(const std::string& gguf_path);

struct ChunkRunOptions {
  int threads = 1;
  int64_t n_batch = 0;  // 0: n_ctx (llama-perplexity's default: min(2048, n_ctx))
  model::AttnNumerics numerics = model::AttnNumerics::kAuto;
  bool peer_float_order = true;  // EngineOptions::peer_float_order: exact beats fast here
};

// Calls on_chunk(chunk, rows) with the scored rows of every chunk of `tokens` (n_ctx each).
void run_chunks(const model::Model& m, const BosRule& bos, int32_t n_ctx,
                std::span<const int32_t> tokens, const ChunkRunOptions& opts,
                const std::function<void(int64_t chunk, std::span<const float> rows)>& on_chunk);

// Scores our engine against a base file. `log` receives llama-perplexity's per-chunk lines.
KldSummary score_against_base(const model::Model& m, const BosRule& bos, const KldBase& base,
                              const ChunkRunOptions& opts,
                              const std::function<void(const std::string&)>& log = {});

// Writes a base file of our engine's log-probs for `tokens` (whole chunks of n_ctx); returns
// the perplexity, as llama-perplexity's "Final estimate".
double write_base_from_engine(const model::Model& m, const BosRule& bos, int32_t n_ctx,
                              std::span<const int32_t> tokens, const ChunkRunOptions& opts,
                              const std::string& out_path);

}  // namespace bitnet::crossval
