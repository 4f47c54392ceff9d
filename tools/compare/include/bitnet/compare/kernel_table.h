// Ours vs the peers' kernels, per case, from one bitnet_benches result file that holds both
// (bitnet_benches --bitnet_peer=...): for each gemv/gemm/quant_act case with a peer row, the best
// of our implementations, our dispatch row, the peer, and the ratios.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitnet::compare {

struct KernelCell {
  std::string impl;                 // "avx512vnni", "dispatch", "peer.llama.cpp"
  std::optional<double> median_ns;  // median real time per iteration; none for an error row
  std::string error;                // the row's error message
  int samples = 0;                  // repetitions behind the median
};

struct KernelTableRow {
  std::string name_case;  // the case without its implementation: gemv/tq2_0/M:6912/.../hot
  KernelCell best_ours;   // fastest of our rows (dispatch included); impl empty when none ran
  KernelCell dispatch;
  KernelCell peer;
  // peer / ours time: > 1 means ours is faster. Absent when either side has no time.
  std::optional<double> peer_over_best, peer_over_dispatch;
};

// Groups the file's rows by case (the name minus its implementation label; aggregate rows are
// used when present — the median —, else the median of the iteration rows). One table row per
// (case, peer), sorted by case name. Rows whose names do not parse are ignored. Throws
// std::runtime_error for a document without "benchmarks".
std::vector<KernelTableRow> kernel_table(const nlohmann::json& results);
std::string format_kernel_table(const std::vector<KernelTableRow>& rows);

}  // namespace bitnet::compare
