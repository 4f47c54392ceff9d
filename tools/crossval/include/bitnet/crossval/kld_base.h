// llama.cpp's KL-divergence base file (`llama-perplexity --kl-divergence-base FILE`, written by
// examples/perplexity/perplexity.cpp), little-endian:
//   "_logits_", int32 n_ctx, int32 n_vocab, int32 n_chunk, int32 tokens[n_chunk * n_ctx],
//   then per chunk one record for each scored position n_ctx/2 .. n_ctx-2 (the distribution
//   that predicts the next token): nv = 2*((n_vocab+1)/2) + 4 uint16 words, the first four
//   holding two floats (scale, min_log_prob), then n_vocab codes q with
//   log p = scale * q + min_log_prob.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace bitnet::crossval {

class KldFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KldBase {
  int32_t n_ctx = 0;
  int32_t n_vocab = 0;
  int32_t n_chunk = 0;
  std::vector<int32_t> tokens;    // n_chunk * n_ctx, as tokenized (no BOS substitution)
  std::vector<uint16_t> records;  // n_chunk * scored_per_chunk() * words_per_record()

  int64_t words_per_record() const { return 2 * ((int64_t{n_vocab} + 1) / 2) + 4; }
  int64_t first_scored() const { return n_ctx / 2; }
  int64_t scored_per_chunk() const { return n_ctx - 1 - n_ctx / 2; }
  // Record j (0-based, position first_scored() + j) of chunk c.
  std::span<const uint16_t> record(int64_t chunk, int64_t j) const;
  std::span<const int32_t> chunk_tokens(int64_t chunk) const;
};

// One record from a logits row, exactly as llama-perplexity's writer (log_softmax with a
// uint16 output): returns the negative log-likelihood of `next_token`.
double encode_record(std::span<const float> logits, int32_t next_token, uint16_t* record);

// Reads and checks a whole base file; KldFileError names the file, the field and its offset.
KldBase read_kld_base(const std::string& path);

// Writes a base file chunk by chunk into PATH.tmp and renames it over PATH in finish(), so an
// interrupted run never leaves a half file under the final name.
class KldBaseWriter {
 public:
  KldBaseWriter(std::string path, int32_t n_ctx, int32_t n_vocab, std::span<const int32_t> tokens);
  ~KldBaseWriter();  // removes the temporary file unless finish() succeeded
  KldBaseWriter(const KldBaseWriter&) = delete;
  KldBaseWriter& operator=(const KldBaseWriter&) = delete;
  // `logits`: rows for positions first_scored() .. n_ctx-2 of the next chunk, n_vocab each.
  // Returns the chunk's summed NLL.
  double add_chunk(std::span<const float> logits);
  void finish();

 private:
  std::string path_, tmp_;
  int32_t n_ctx_, n_vocab_, n_chunk_;
  std::vector<int32_t> tokens_;
  int32_t chunks_done_ = 0;
  void* out_ = nullptr;  // FILE*
  bool finished_ = false;
};

}  // namespace bitnet::crossval
