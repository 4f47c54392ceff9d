// Parsers for what the peers print: llama-bench (json, jsonl, csv, md) and llama-cli's stderr
// (timing lines in the current `llama_perf_context_print` and the older `llama_print_timings`
// format, `--verbose-prompt` token lists). Field meanings: docs/compare.md.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bitnet::compare {

// Malformed peer output. The message names the format, the line (1-based) and the field.
class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One llama-bench test (one row of its table).
struct BenchTest {
  std::string build_commit;
  long build_number = 0;
  std::string cpu_info;
  std::string model_filename;  // not in md output
  std::string model_type;      // e.g. "bitnet ?B TQ2_0 - 2.06 bpw ternary"
  int n_threads = 0;
  int n_prompt = 0;  // pp tests: prompt tokens per repetition
  int n_gen = 0;     // tg tests: generated tokens per repetition
  std::string test_time;
  double avg_ns = 0, stddev_ns = 0;  // per repetition (all n_prompt + n_gen tokens); 0 in md
  double avg_ts = 0, stddev_ts = 0;  // tokens per second
  std::vector<double> samples_ns;    // per repetition; json/jsonl only
  std::vector<double> samples_ts;
};

enum class BenchFormat { kJson, kJsonl, kCsv, kMarkdown };
std::string_view format_name(BenchFormat f);

std::vector<BenchTest> parse_llama_bench(std::string_view text, BenchFormat format);
// Guesses the format from the first non-blank character ('[' json, '{' jsonl, '|' md, else csv).
std::vector<BenchTest> parse_llama_bench_any(std::string_view text);

class InputStream;
// The same from a file, streamed: `on_test` receives each test as it is read, so memory does not
// grow with the file (json, jsonl and csv; md, whose build line follows its table, is read whole
// within kMaxInputFileBytes). Throws ParseError as parse_llama_bench does, CompareError for I/O.
void for_each_llama_bench_test(InputStream& in,
                               const std::function<void(const BenchTest&)>& on_test);

// llama-cli timing lines.
enum class TimingFormat {
  kPerfContext,
  kPrintTimings
};  // llama_perf_context_print / llama_print_timings
struct CliTimings {
  TimingFormat format = TimingFormat::kPerfContext;
  double load_ms = 0;
  double prompt_eval_ms = 0;
  int prompt_tokens = 0;
  double eval_ms = 0;  // generation: one llama_decode per token after the first
  int eval_runs = 0;
  std::optional<double> total_ms;
};
// Throws ParseError when the eval and prompt eval lines are missing or malformed.
CliTimings parse_cli_timings(std::string_view stderr_text);

// `--verbose-prompt` token list ("main: number of tokens in prompt = 5" then "     1 -> '<s>'").
struct PromptToken {
  int id = 0;
  std::string piece;  // as printed between the quotes
};
std::vector<PromptToken> parse_verbose_prompt(std::string_view stderr_text);

// The model-loading error llama-cli reports, e.g. "failed to open GGUF file 'x.gguf'", if any.
std::optional<std::string> find_load_error(std::string_view stderr_text);

}  // namespace bitnet::compare
