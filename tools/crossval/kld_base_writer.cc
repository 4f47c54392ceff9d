// Writing KL-divergence base files from our logits, bit for bit as llama-perplexity does, so its
// own `--kl-divergence` reader can judge our engine.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "bitnet/crossval/kld_base.h"

namespace bitnet::crossval {
namespace {

// ggml's nearest_int: round to nearest, ties to even, via the 1.5·2^23 trick.
int nearest_int(float fval) {
  float val = fval + 12582912.f;
  int i;
  std::memcpy(&i, &val, sizeof(int));
  return (i & 0x007fffff) - 0x00400000;
}

}  // namespace

double encode_record(std::span<const float> logits, int32_t tok, uint16_t* log_prob) {
  const int n_vocab = static_cast<int>(logits.size());
  float max_logit = logits[0];
  float min_logit = logits[0];
  for (int i = 1; i < n_vocab; ++i) {
    max_logit = std::max(max_logit, logits[i]);
    min_logit = std::min(min_logit, logits[i]);
  }
  min_logit = std::max(min_logit, max_logit - 16);
  double sum_exp = 0.0;
  for (int i = 0; i < n_vocab; ++i) sum_exp += expf(logits[i] - max_logit);
  const float log_sum_exp = static_cast<float>(std::log(sum_exp));
  const float min_log_prob = min_logit - max_logit - log_sum_exp;
  const float scale = (max_logit - min_logit) / 65535.f;
  const float d[2] = {scale, min_log_prob};
  std::memcpy(log_prob, d, sizeof d);
  log_prob += 4;
  if (scale != 0.0f) {
    const float inv_scale = 1 / scale;
    for (int i = 0; i < n_vocab; ++i)
      log_prob[i] = static_cast<uint16_t>(
          logits[i] > min_logit ? nearest_int(inv_scale * (logits[i] - min_logit)) : 0);
  } else {
    std::memset(log_prob, 0, n_vocab * sizeof(uint16_t));
  }
  return max_logit + log_sum_exp - logits[tok];
}

KldBaseWriter::KldBaseWriter(std::string path, int32_t n_ctx, int32_t n_vocab,
                             std::span<const int32_t> tokens)
    : path_(std::move(path)),
      tmp_(path_ + ".tmp"),
      n_ctx_(n_ctx),
      n_vocab_(n_vocab),
      n_chunk_(n_ctx > 0 ? static_cast<int32_t>(tokens.size() / n_ctx) : 0),
      tokens_(tokens.begin(), tokens.end()) {
  if (n_ctx < 4 || n_vocab < 1 || n_chunk_ < 1 || tokens.size() != size_t(n_chunk_) * size_t(n_ctx))
    throw KldFileError(fmt::format(
        "{}: cannot write a base file for n_ctx {}, n_vocab {} and {} tokens (need a whole "
        "number >= 1 of chunks)",
        path_, n_ctx, n_vocab, tokens.size()));
  FILE* f = std::fopen(tmp_.c_str(), "wb");
  if (!f) throw KldFileError(fmt::format("cannot create '{}'", tmp_));
  out_ = f;
  const int32_t hdr[3] = {n_ctx_, n_vocab_, n_chunk_};
  bool ok = std::fwrite("_logits_", 1, 8, f) == 8 && std::fwrite(hdr, sizeof hdr, 1, f) == 1 &&
            std::fwrite(tokens_.data(), 4, tokens_.size(), f) == tokens_.size();
  if (!ok) throw KldFileError(fmt::format("cannot write '{}'", tmp_));
}

KldBaseWriter::~KldBaseWriter() {
  if (out_) std::fclose(static_cast<FILE*>(out_));
  if (!finished_) ::unlink(tmp_.c_str());
}

double KldBaseWriter::add_chunk(std::span<const float> logits) {
  const int64_t first = n_ctx_ / 2, n_rec = n_ctx_ - 1 - first;
  const int64_t nv = 2 * ((int64_t{n_vocab_} + 1) / 2) + 4;
  if (chunks_done_ >= n_chunk_)
    throw KldFileError(fmt::format("{}: more than {} chunks", path_, n_chunk_));
  if (logits.size() != size_t(n_rec) * size_t(n_vocab_))
    throw KldFileError(fmt::format("{}: chunk {} has {} logits, need {} rows of {}", path_,
                                   chunks_done_, logits.size(), n_rec, n_vocab_));
  std::vector<uint16_t> rec(static_cast<size_t>(nv * n_rec), 0);
  double nll = 0;
  const int32_t* tok = tokens_.data() + size_t(chunks_done_) * n_ctx_ + first;
  for (int64_t i = 0; i < n_rec; ++i)
    nll += encode_record(logits.subspan(size_t(i) * n_vocab_, n_vocab_), tok[i + 1],
                         rec.data() + i * nv);
  if (std::fwrite(rec.data(), 2, rec.size(), static_cast<FILE*>(out_)) != rec.size())
    throw KldFileError(fmt::format("cannot write '{}'", tmp_));
  ++chunks_done_;
  return nll;
}

void KldBaseWriter::finish() {
  if (chunks_done_ != n_chunk_)
    throw KldFileError(
        fmt::format("{}: {} of {} chunks written; not finished", path_, chunks_done_, n_chunk_));
  FILE* f = static_cast<FILE*>(out_);
  out_ = nullptr;
  const bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  if (std::fclose(f) != 0 || !ok) throw KldFileError(fmt::format("cannot write '{}'", tmp_));
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    throw KldFileError(fmt::format("cannot rename '{}' to '{}'", tmp_, path_));
  finished_ = true;
}

}  // namespace bitnet::crossval
