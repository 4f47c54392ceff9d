// Peer measurements in Google Benchmark's JSON shape (1.7.1: context + benchmarks[] with
// per-repetition "iteration" rows and mean/median/stddev "aggregate" rows), so that peer rows sit
// beside ours in one file, one diff, and Google Benchmark's tools/compare.py.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitnet::compare {

// One measured case: a phase at one thread count, with one value per repetition.
struct Measurement {
  std::string phase;  // "decode" (generation, one token per step) or "prefill" (prompt batch)
  int threads = 0;
  int tokens = 0;                         // tokens per repetition (llama-bench n_gen or n_prompt)
  std::vector<double> ns_per_token;       // per repetition (empty when only aggregates are known)
  std::vector<double> tokens_per_second;  // per repetition, as the peer reported it
  // When the peer printed only mean ± stddev (llama-bench md/csv): the aggregates.
  std::optional<double> mean_ns_per_token, stddev_ns_per_token, mean_tps, stddev_tps;
  // Residency, in the counters our decode/prefill rows use: the model's resident fraction before
  // the peer process started (the lowest over its processes) and the major page faults of the
  // peer processes (their whole run: a peer's timed region is not observable from outside). A row
  // with faults > 0 read from disk and says so in its label.
  std::optional<double> resident_frac;
  std::optional<long> major_faults;
};

struct PeerContext {
  std::string peer = "llama.cpp";  // or "bitnet.cpp"
  std::string tool;                // "llama-bench" or "llama-cli"
  std::string binary;
  std::string version;  // what `--version` printed (first line)
  std::string build_commit;
  long build_number = 0;
  std::string cpu_info;
  std::string model_path;
  std::string model_sha256;
  std::string model_label;  // the <model> segment of row names
  std::string model_type;   // llama.cpp's description of the model, when known
  std::string command;      // one representative command line (quoted, for humans)
};

struct Stats {
  double mean = 0, median = 0, stddev = 0;  // stddev: sample (n-1), 0 for one value, as GB does
};
Stats compute_stats(const std::vector<double>& v);

// "ns", "us", "ms" or "s" → nanoseconds per unit; throws std::invalid_argument otherwise.
double ns_per_unit(const std::string& time_unit);

// peer/<peer>/decode/<model>/threads:T and peer/<peer>/prefill/<model>/tokens:N/threads:T
std::string row_name(const PeerContext& ctx, const Measurement& m);
// Lower-case [a-z0-9_.-]; other characters become '_' (the suite's label rule).
std::string sanitize_label(const std::string& text);
// The default model label: the file name without directory and ".gguf", sanitized.
std::string default_model_label(const std::string& model_path);

nlohmann::ordered_json to_gbench_json(const PeerContext& ctx, const std::vector<Measurement>& rows,
                                      const std::string& time_unit = "ns");

// The same document written as it is made, one measurement at a time, so memory does not grow
// with the number of rows: the bytes equal to_gbench_json(ctx, rows, time_unit).dump(2) (without
// a final newline) when add() is called once per row in order and finish() after the last.
class GbenchJsonWriter {
 public:
  // Writes the context (the date, host and load are read now). Throws std::invalid_argument for
  // an unknown time unit.
  GbenchJsonWriter(std::ostream& out, const PeerContext& ctx, const std::string& time_unit = "ns");
  void add(const Measurement& m);  // throws std::invalid_argument for a row with no values
  void finish();

 private:
  std::ostream& out_;
  PeerContext ctx_;
  std::string time_unit_;
  double unit_ns_;
  int family_ = 0;
  bool any_ = false;
};

}  // namespace bitnet::compare
