#include "bitnet/crossval/kld_engine.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "bitnet/gguf/gguf.h"

namespace bitnet::crossval {

BosRule read_bos_rule(const std::string& path) {
  const gguf::File f = gguf::File::open(path);
  BosRule r;
  const std::string vocab = f.get_or<std::string>("tokenizer.ggml.model", "llama");
  // llama.cpp's defaults: SPM ("llama") adds BOS, BPE ("gpt2") does not unless told.
  r.add_bos = f.get_or<bool>("tokenizer.ggml.add_bos_token", vocab == "llama");
  r.bos_id = f.get_or<int32_t>("tokenizer.ggml.bos_token_id", 1);
  return r;
}

void run_chunks(const model::Model& m, const BosRule& bos, int32_t n_ctx,
                std::span<const int32_t> tokens, const ChunkRunOptions& opts,
                const std::function<void(int64_t, std::span<const float>)>& on_chunk) {
  if (n_ctx < 4 || tokens.size() % size_t(n_ctx) != 0)
    throw std::invalid_argument(
        fmt::format("{} tokens are not whole chunks of n_ctx {}", tokens.size(), n_ctx));
  model::Engine e(m, model::EngineOptions{.n_threads = opts.threads,
                                          .n_ctx = n_ctx,
                                          .n_batch = opts.n_batch > 0 ? opts.n_batch : n_ctx,
                                          .attn_numerics = opts.numerics,
                                          .peer_float_order = opts.peer_float_order});
  const int64_t V = e.n_vocab(), first = n_ctx / 2;
  std::vector<int32_t> chunk(static_cast<size_t>(n_ctx));
  std::vector<float> all;
  for (int64_t c = 0; c < int64_t(tokens.size() / n_ctx); ++c) {
    std::copy_n(tokens.begin() + c * n_ctx, n_ctx, chunk.begin());
    if (bos.add_bos) chunk[0] = bos.bos_id;
    e.reset();
    e.forward(chunk, &all);
    on_chunk(
        c, std::span<const float>(all).subspan(size_t(first * V), size_t((n_ctx - 1 - first) * V)));
  }
}

KldSummary score_against_base(const model::Model& m, const BosRule& bos, const KldBase& base,
                              const ChunkRunOptions& opts,
                              const std::function<void(const std::string&)>& log) {
  if (base.n_vocab != m.hparams().n_vocab)
    throw KldFileError(fmt::format("the base file has n_vocab {}, the model {}", base.n_vocab,
                                   m.hparams().n_vocab));
  KldAccumulator acc;
  const int64_t V = base.n_vocab, first = base.first_scored();
  if (log)
    log("chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence        "
        "      Δp RMS            Same top p\n");
  run_chunks(m, bos, base.n_ctx, base.tokens, opts, [&](int64_t c, std::span<const float> rows) {
    const auto toks = base.chunk_tokens(c);
    for (int64_t j = 0; j < base.scored_per_chunk(); ++j)
      acc.add(rows.subspan(size_t(j * V), size_t(V)), base.record(c, j), toks[first + j + 1]);
    if (log) log(acc.chunk_line(static_cast<int>(c + 1)));
  });
  return acc.summary();
}

double write_base_from_engine(const model::Model& m, const BosRule& bos, int32_t n_ctx,
                              std::span<const int32_t> tokens, const ChunkRunOptions& opts,
                              const std::string& out_path) {
  KldBaseWriter w(out_path, n_ctx, static_cast<int32_t>(m.hparams().n_vocab), tokens);
  double nll = 0;
  size_t count = 0;
  run_chunks(m, bos, n_ctx, tokens, opts, [&](int64_t, std::span<const float> rows) {
    nll += w.add_chunk(rows);
    count += size_t(n_ctx - 1 - n_ctx / 2);
  });
  w.finish();
  return std::exp(nll / double(count));
}

}  // namespace bitnet::crossval
