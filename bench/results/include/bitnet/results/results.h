// Google Benchmark JSON results (ours, the shim's, or a history of past runs) reduced to what a
// comparison needs: per-benchmark samples of every metric, aggregates, and error/skip state.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitnet::diff {

// Bad input: the message names the file and the field (e.g. "a.json: benchmarks[3].real_time:
// expected a number").
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BenchmarkSamples {
  std::string name;    // run_name: the same for every repetition and aggregate of one benchmark
  std::string family;  // name up to the first '/'
  std::string label;   // the rows' "label" field (bitnet_benches: the kernel's registry name)
  // Metric name -> one value per repetition (iteration rows). Times are in nanoseconds under
  // "real_time" and "cpu_time"; user counters keep their own names and units.
  std::map<std::string, std::vector<double>> samples;
  // Aggregate name (mean, median, stddev, cv, ...) -> metric -> value. Times in nanoseconds.
  std::map<std::string, std::map<std::string, double>> aggregates;
  int repetitions_declared = 0;  // "repetitions" field of the rows (0 if absent)
  std::size_t runs = 0;          // how many result files contributed samples (history: > 1)
  bool errored = false;
  bool skipped = false;
  std::string message;  // error or skip message
};

struct ResultSet {
  std::string source;              // file or directory it was read from
  std::vector<std::string> files;  // the files read (a history directory: several)
  std::vector<std::string> order;  // benchmark names in first-seen order
  std::map<std::string, BenchmarkSamples> benchmarks;
  nlohmann::json context;  // "context" of the newest file read
};

// Family of a benchmark name: the text before the first '/', or the whole name.
std::string family_of(const std::string& name);

// Whether an error message is the suite's way of saying "skipped": Google Benchmark 1.7.1 has no
// SkipWithMessage, so unsupported cases call SkipWithError with "skipped: <reason>" or
// "CPU lacks <ISA>" (case-insensitive prefixes).
bool is_skip_message(const std::string& message);

// Parses one Google Benchmark JSON document; `source` is used in error messages.
ResultSet parse_results(const nlohmann::json& doc, const std::string& source);

// Documents nested deeper than this are refused at parse time (InputError naming `source`).
inline constexpr int kMaxJsonDepth = 64;
// nlohmann::json::parse with that depth limit; throws InputError or json::parse_error.
nlohmann::json parse_json_bounded(const std::string& text, const std::string& source);
// The text of a result file (NaN/Infinity tolerated as "no value"), depth-limited, then
// parse_results. Throws InputError or nlohmann::json::parse_error.
ResultSet parse_results_text(const std::string& text, const std::string& source);

// Reads a JSON file, or a history directory: the newest `history_depth` *.json files (by the
// context.date they record, then by file name), their repetitions pooled per benchmark.
ResultSet load_results(const std::filesystem::path& path, std::size_t history_depth = 5);

}  // namespace bitnet::diff
