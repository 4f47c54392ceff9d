// Cross-validation against the peer: same model, same prompt tokens, greedy decoding on both
// sides; report where the generated outputs first differ and, when logits are available from
// both sides, the cosine similarity of the logits per position. docs/compare.md lists the limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bitnet/compare/discovery.h"

namespace bitnet::compare {

// Logits in the golden-set format (shared golden README §5): tokens, n_vocab, logits[n][n_vocab],
// greedy[k], greedy_logits[k-1][n_vocab]. Throws ParseError naming the file and field.
struct LogitsDoc {
  std::vector<int32_t> tokens;
  int64_t n_vocab = 0;
  std::vector<std::vector<float>> logits;  // row i: prediction after tokens[0..i]
  std::vector<int32_t> greedy;
  std::vector<std::vector<float>> greedy_logits;  // row k-1 produced greedy[k]
};
LogitsDoc parse_logits_doc(const nlohmann::json& j, const std::string& where);
LogitsDoc load_logits_doc(const std::string& path);

// Uncentred cosine similarity Σab / √(Σa²·Σb²), accumulated in double.
double cosine(const std::vector<float>& a, const std::vector<float>& b);

struct CosineReport {
  std::vector<double> per_row;  // prompt rows, then greedy rows while both greedy paths agree
  double all = 0;               // all compared rows flattened together
  double prompt_all = 0;        // the prompt rows only, flattened (the golden README's "cos (all)")
  double min = 0;
  size_t min_row = 0;
  size_t argmax_agree = 0;  // rows whose argmax agrees
};
// Compares two documents over the same prompt tokens (throws std::invalid_argument otherwise).
CosineReport compare_logits(const LogitsDoc& ref, const LogitsDoc& ours);

// SentencePiece (llama.cpp SPM) pieces as llama-cli prints them: normal tokens with U+2581 as a
// space, <0xNN> byte tokens as the byte, control tokens as nothing, unknown as U+2585.
struct Vocab {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
  std::string piece(int32_t id) const;  // throws std::out_of_range for an id outside the vocab
};
// Reads tokenizer.ggml.tokens/token_type from a GGUF file (needs the project's GGUF reader).
Vocab load_vocab(const std::string& gguf_path);

struct TextAgreement {
  size_t steps = 0;                        // our generated tokens compared
  size_t matched = 0;                      // leading steps whose text the peer printed too
  std::optional<size_t> first_divergence;  // 0-based step; empty when all steps matched
  std::string ours_text, peer_text;        // generated parts only
};
// `peer_generated` is the peer's stdout after the prompt echo.
TextAgreement compare_text(const std::string& peer_generated,
                           const std::vector<std::string>& pieces);

struct CrossvalOptions {
  std::string model;
  std::string prompt = "The quick brown fox";
  int steps = 16;             // tokens generated on each side
  int min_steps = 16;         // threshold: identical greedy output for this many steps
  double min_cosine = 0.999;  // threshold on every compared logits row
  int threads = 1;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  std::optional<std::string> bitnet_run;   // default: next to bitnet-compare, then PATH
  std::optional<std::string> peer_logits;  // golden-format JSON from the peer (libllama dump)
  std::optional<std::string> ours_logits;  // golden-format JSON from our engine
  std::optional<bool> cli_no_cnv;
};

struct CrossvalReport {
  std::vector<int32_t> prompt_ids;  // from the peer's --verbose-prompt
  std::vector<int32_t> ours_generated;
  TextAgreement text;
  std::optional<CosineReport> cosine;
  bool tokens_ok = false, cosine_ok = true;
  bool pass() const { return tokens_ok && cosine_ok; }
  nlohmann::json peer;  // peer_probe.h: binary, flavour, version, accepted flags
  std::string summary;  // human-readable, several lines
  nlohmann::json to_json() const;
};

// Extracts generated token ids (and pieces, when present) from bitnet-run --json output.
struct OursOutput {
  std::vector<int32_t> generated;
  std::vector<std::string> pieces;  // empty when bitnet-run did not print them
};
OursOutput parse_bitnet_run_json(const std::string& stdout_text);

// Throws CompareError (not found, peer failed, usage, interrupted).
CrossvalReport run_crossval(const CrossvalOptions& opts, const SearchInputs& where,
                            const std::function<void(const std::string&)>& log = {});

}  // namespace bitnet::compare
