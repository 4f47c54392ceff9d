// Ours vs a reference implementation (llama.cpp, bitnet.cpp), from bitnet-compare's rows:
// whole-model tokens/s (peer/<peer>/decode|prefill/...) and, when present, peer kernel rows
// (<family>/<format>/peer.<peer>/... beside our dispatch row of the same case).
#pragma once

#include <string>
#include <vector>

#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct PeerPair {
  std::string kind;   // "model" or "kernel"
  std::string label;  // "decode tiny-bitnet-a-tq2_0 threads:2"
  std::string ours_name, peer_name;
  std::string peer;             // llama.cpp
  std::string unit;             // tokens/s or GOPS
  double ours = 0, theirs = 0;  // higher is better
  double ratio() const { return theirs > 0 ? ours / theirs : 0; }
};

// Pairs from every run given (ours and the peer may come from different files). Decode rows
// pair by model and threads (ours at its smallest pos: llama-bench decodes from an empty
// context); prefill rows by model and threads (the label shows both prompt lengths).
std::vector<PeerPair> peer_pairs(const std::vector<const RunData*>& runs);

}  // namespace bitnet::report
