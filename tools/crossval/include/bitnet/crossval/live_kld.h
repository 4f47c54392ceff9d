// The KL-divergence check live against a peer build, both ways:
//   1. the peer's llama-perplexity writes a base file from a text file (its tokenizer, its
//      logits); our engine runs on the stored tokens and our reader scores it;
//   2. our engine writes a base file for the same tokens; the peer's own `--kl-divergence`
//      reads it and prints its statistics (so the peer's reader judges us).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bitnet/compare/discovery.h"
#include "bitnet/crossval/kld_stats.h"

namespace bitnet::crossval {

struct LiveKldOptions {
  std::string model;
  std::string text_file;
  int n_ctx = 128, n_chunks = 4, threads = 1;
  std::string work_dir;  // where the base files go (kept for inspection)
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  // Thresholds on our reading of the peer's base (check 1) and the peer's reading of ours (2).
  // "Equal to the reference" (docs/crossval.md): an order of magnitude below a difference in
  // activation quantization (1.5e-4 / 97 %), and reached by every model with a golden base.
  double max_mean_kld = 1e-5, max_kld = 1e-4, min_same_top = 0.995;
};

// What llama-perplexity printed in --kl-divergence mode (the lines we need).
struct PeerKldPrintout {
  std::optional<double> mean_kld, max_kld, same_top;  // same_top as a fraction
};
PeerKldPrintout parse_peer_kld_printout(const std::string& text);

struct LiveKldReport {
  KldSummary ours_on_peer_base;
  PeerKldPrintout peer_on_our_base;
  std::string peer_base, our_base, peer_binary, peer_version;
  bool pass = false;
  std::string summary;
  nlohmann::json to_json() const;
};

// Throws compare::CompareError (peer not found / failed, usage).
LiveKldReport run_live_kld(const LiveKldOptions& opts, const compare::SearchInputs& where,
                           const std::function<void(const std::string&)>& log = {});

}  // namespace bitnet::crossval
