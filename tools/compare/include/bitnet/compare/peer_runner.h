// Runs a peer (llama.cpp / bitnet.cpp) benchmark end to end: find the binary, launch
// llama-bench (or llama-cli as the fallback), parse, and return Google-Benchmark-shaped rows.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitnet/compare/discovery.h"
#include "bitnet/compare/peer_output.h"
#include "bitnet/results/gbench_json.h"

namespace bitnet::compare {

// Exit codes of bitnet-compare (docs/compare.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitPeerFailed = 1,      // the peer ran and failed: non-zero exit, crash, timeout, bad output
  kExitUsage = 2,           // bad arguments
  kExitInput = 3,           // a missing or bad input: model, result file (docs/cli.md)
  kExitPeerNotFound = 3,    // no peer binary anywhere we looked: a missing input, too
  kExitBelowThreshold = 4,  // crossval: the outputs disagree beyond the thresholds
  kExitInterrupted = 130,
};

class CompareError : public std::runtime_error {
 public:
  CompareError(ExitCode code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

enum class PeerTool { kAuto, kLlamaBench, kLlamaCli };

struct BenchRequest {
  std::string model;
  int n_prompt = 128;  // prefill tokens (0: no prefill rows)
  int n_gen = 64;      // generated tokens per repetition (0: no decode rows)
  std::vector<int> threads{1};
  int repetitions = 5;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  // per peer process
  std::chrono::milliseconds kill_grace{std::chrono::seconds(3)};
  PeerTool tool = PeerTool::kAuto;
  std::optional<std::string> peer_name;    // overrides the name derived from where it was found
  std::optional<std::string> model_label;  // overrides default_model_label(model)
  std::string cli_prompt = "The quick brown fox";  // llama-cli fallback only
  std::optional<bool> cli_no_cnv;  // pass -no-cnv? default: yes for llama.cpp, no for bitnet.cpp
  bool hash_model = true;
};

struct BenchOutcome {
  PeerContext context;
  std::vector<Measurement> rows;
};

// Converts parsed llama-bench tests; pp+tg combined tests are rejected (we never request them).
std::vector<Measurement> measurements_from_bench(const std::vector<BenchTest>& tests);
Measurement measurement_from_bench(const BenchTest& test);
// Adds one llama-cli run (one repetition) to the decode/prefill rows for `threads`.
void add_cli_run(std::vector<Measurement>& rows, const CliTimings& t, int threads);

// The argument vectors we launch (exposed for tests and for the docs).
std::vector<std::string> llama_bench_argv(const std::string& binary, const BenchRequest& req);
std::vector<std::string> llama_cli_argv(const std::string& binary, const BenchRequest& req,
                                        int threads, bool no_cnv);

// Throws CompareError (kExitPeerNotFound, kExitPeerFailed, kExitUsage, kExitInput,
// kExitInterrupted). `log` receives progress lines (which binary, which command), for stderr.
BenchOutcome run_peer_bench(const BenchRequest& req, const SearchInputs& where,
                            const std::function<void(const std::string&)>& log = {});

// SHA-256 of a file as 64 lower-case hex digits; throws CompareError(kExitInput) naming the file.
std::string file_sha256(const std::string& path);

}  // namespace bitnet::compare
