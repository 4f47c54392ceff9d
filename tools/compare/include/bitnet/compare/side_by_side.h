// Our benchmark rows (bitnet_benches JSON) next to the peer's (bitnet-compare JSON): matched by
// phase (decode/prefill) and thread count, compared on the median tokens_per_second.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitnet::compare {

struct CaseSamples {
  std::string run_name;  // without "/real_time"
  std::string phase;     // "decode" or "prefill"
  std::string model;
  int threads = 0;
  int tokens = 0;           // prefill: prompt tokens ("tokens:N" in the name); 0 if not given
  std::string peer;         // empty for our rows
  std::vector<double> tps;  // per repetition, pooled over every file given
  double median_tps = 0;    // of tps, or the file's median/mean aggregate when no repetitions
  std::string basis;        // "median of N repetitions", "median aggregate", "mean aggregate"
};

// Collects decode/prefill cases (ours: "decode/...", "prefill/..."; peer: "peer/<peer>/...")
// from Google Benchmark JSON documents. Rows without a tokens_per_second counter are skipped.
std::vector<CaseSamples> collect_cases(const std::vector<nlohmann::json>& docs);

struct SideRow {
  std::string phase;
  int threads = 0;
  std::string ours_name, peer_name, peer;
  double ours_tps = 0, peer_tps = 0;
  size_t ours_n = 0, peer_n = 0;
  double ratio = 0;  // ours / peer (higher is better for us); 0 when unlike
  // Prefill rows of different prompt lengths: tokens/s of a 32-token and a 128-token prefill are
  // not comparable, so no ratio is given and the table says why.
  bool unlike = false;
  int ours_tokens = 0, peer_tokens = 0;
};

std::vector<SideRow> side_by_side(const std::vector<CaseSamples>& ours,
                                  const std::vector<CaseSamples>& peer);
// The table; rows of unlike prefill lengths print "unlike" instead of a ratio plus a note.
std::string format_side_by_side(const std::vector<SideRow>& rows);

// One document holding both: our context (+ "peer_context"), every benchmark row of both.
nlohmann::json merge_reports(const std::vector<nlohmann::json>& ours,
                             const std::vector<nlohmann::json>& peer);

}  // namespace bitnet::compare
