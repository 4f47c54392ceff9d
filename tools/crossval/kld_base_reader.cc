// Reading llama-perplexity's KL-divergence base files, with every field checked.
#include <cmath>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "bitnet/crossval/kld_base.h"

namespace bitnet::crossval {

std::span<const uint16_t> KldBase::record(int64_t chunk, int64_t j) const {
  const size_t w = static_cast<size_t>(words_per_record());
  const size_t i = static_cast<size_t>(chunk * scored_per_chunk() + j);
  return {records.data() + i * w, w};
}

std::span<const int32_t> KldBase::chunk_tokens(int64_t chunk) const {
  return {tokens.data() + chunk * n_ctx, static_cast<size_t>(n_ctx)};
}

KldBase read_kld_base(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KldFileError(fmt::format("cannot open KL-divergence base file '{}'", path));
  in.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  auto fail = [&](const std::string& what, uint64_t offset) {
    return KldFileError(fmt::format("{}: {} (offset {}, file size {})", path, what, offset, size));
  };
  char magic[8];
  if (!in.read(magic, 8)) throw fail("too short for the \"_logits_\" magic", 0);
  if (std::memcmp(magic, "_logits_", 8) != 0)
    throw fail("not a llama-perplexity KL-divergence base file (no \"_logits_\" magic)", 0);
  int32_t hdr[3];
  if (!in.read(reinterpret_cast<char*>(hdr), sizeof hdr))
    throw fail("truncated header (n_ctx, n_vocab, n_chunk)", 8);
  KldBase b;
  b.n_ctx = hdr[0];
  b.n_vocab = hdr[1];
  b.n_chunk = hdr[2];
  if (b.n_ctx < 4) throw fail(fmt::format("n_ctx = {} (need >= 4)", b.n_ctx), 8);
  if (b.n_vocab < 1) throw fail(fmt::format("n_vocab = {} (need >= 1)", b.n_vocab), 12);
  if (b.n_chunk < 1) throw fail(fmt::format("n_chunk = {} (need >= 1)", b.n_chunk), 16);
  const uint64_t n_tok = uint64_t(b.n_ctx) * uint64_t(b.n_chunk);
  const uint64_t rec_bytes =
      2 * uint64_t(b.words_per_record()) * uint64_t(b.scored_per_chunk()) * uint64_t(b.n_chunk);
  const uint64_t want = 20 + 4 * n_tok + rec_bytes;
  if (size != want)
    throw fail(fmt::format("size does not match the header: n_ctx {} × n_chunk {} tokens and {} "
                           "records of {} words need {} bytes",
                           b.n_ctx, b.n_chunk, b.scored_per_chunk() * b.n_chunk,
                           b.words_per_record(), want),
               20);
  b.tokens.resize(n_tok);
  in.read(reinterpret_cast<char*>(b.tokens.data()), static_cast<std::streamsize>(4 * n_tok));
  for (uint64_t i = 0; i < n_tok; ++i)
    if (b.tokens[i] < 0 || b.tokens[i] >= b.n_vocab)
      throw fail(
          fmt::format("token {} is {}, outside the vocabulary [0, {})", i, b.tokens[i], b.n_vocab),
          20 + 4 * i);
  b.records.resize(rec_bytes / 2);
  if (!in.read(reinterpret_cast<char*>(b.records.data()), static_cast<std::streamsize>(rec_bytes)))
    throw fail("truncated log-probability records", 20 + 4 * n_tok);
  const int64_t n_rec = b.scored_per_chunk() * b.n_chunk;
  for (int64_t r = 0; r < n_rec; ++r) {
    float d[2];
    std::memcpy(d, b.records.data() + r * b.words_per_record(), sizeof d);
    if (!std::isfinite(d[0]) || d[0] < 0 || !std::isfinite(d[1]))
      throw fail(fmt::format("record {} (chunk {}, position {}) has scale {} and min_log_prob {}",
                             r, r / b.scored_per_chunk(),
                             b.first_scored() + r % b.scored_per_chunk(), d[0], d[1]),
                 20 + 4 * n_tok + 2 * uint64_t(r) * uint64_t(b.words_per_record()));
  }
  return b;
}

}  // namespace bitnet::crossval
