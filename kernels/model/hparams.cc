#include "bitnet/engine/hparams.h"

#include <string>

#include "bitnet/gguf/gguf.h"

namespace bitnet::model {
namespace {

// Offset of a key for error messages (0 when absent).
uint64_t key_offset(const gguf::File& f, std::string_view key) {
  for (const auto& kv : f.metadata())
    if (kv.key == key) return kv.offset;
  return 0;
}

[[noreturn]] void bad(const gguf::File& f, const std::string& key, const std::string& what) {
  throw gguf::Error(f.path(), key_offset(f, key), key, what);
}

int64_t positive(const gguf::File& f, const std::string& key, int64_t fallback, bool required,
                 int64_t limit = int64_t{1} << 24) {
  int64_t v = fallback;
  if (required || f.find(key) != nullptr) v = f.get<int64_t>(key);
  if (v <= 0 || v > limit) bad(f, key, "value " + std::to_string(v) + " out of range");
  return v;
}

}  // namespace

HParams HParams::from_gguf(const gguf::File& f) {
  HParams hp;
  hp.arch = f.get<std::string>("general.architecture");
  if (hp.arch == "bitnet") {
    hp.ffn_act = FfnAct::kSilu;
  } else if (hp.arch == "bitnet-b1.58") {
    hp.ffn_act = FfnAct::kReluSquared;
  } else {
    bad(f, "general.architecture",
        "unsupported architecture '" + hp.arch + "' (expected 'bitnet' or 'bitnet-b1.58')");
  }
  const std::string p = hp.arch + ".";
  hp.n_layer = positive(f, p + "block_count", 0, true, 4096);
  hp.n_embd = positive(f, p + "embedding_length", 0, true);
  hp.n_ff = positive(f, p + "feed_forward_length", 0, true);
  hp.n_head = positive(f, p + "attention.head_count", 0, true, 4096);
  hp.n_head_kv = positive(f, p + "attention.head_count_kv", hp.n_head, false, 4096);
  hp.n_ctx_train = positive(f, p + "context_length", 0, true, int64_t{1} << 22);
  if (hp.n_embd % hp.n_head != 0)
    bad(f, p + "attention.head_count", "embedding_length is not a multiple of head_count");
  if (hp.n_head % hp.n_head_kv != 0)
    bad(f, p + "attention.head_count_kv", "head_count is not a multiple of head_count_kv");
  hp.head_dim = hp.n_embd / hp.n_head;
  hp.n_rot = positive(f, p + "rope.dimension_count", hp.head_dim, false);
  if (hp.n_rot > hp.head_dim || hp.n_rot % 2 != 0)
    bad(f, p + "rope.dimension_count", "must be even and at most the head size");
  hp.rope_freq_base = f.get_or<float>(p + "rope.freq_base", 10000.0f);
  if (!(hp.rope_freq_base > 0.0f)) bad(f, p + "rope.freq_base", "must be positive");
  hp.rms_eps = f.get<float>(p + "attention.layer_norm_rms_epsilon");
  if (!(hp.rms_eps >= 0.0f)) bad(f, p + "attention.layer_norm_rms_epsilon", "must be >= 0");
  return hp;
}

}  // namespace bitnet::model
