// 100 000 generated inputs through the peer-output parsers: the recorded llama-bench outputs
// (csv, md, json, jsonl) and llama-cli transcripts, each mutated 1-3 times (bytes flipped,
// inserted, deleted; numbers replaced by 1e308, 2^64 - 1, -1, nan, ...; lines dropped, doubled,
// swapped; a BOM; CRLF; truncation). Every input must parse or throw ParseError, and whatever
// parses must hold plausible values. Deterministic (fixed seeds); a few seconds.
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bitnet/compare/discovery.h"
#include "bitnet/compare/peer_output.h"

namespace bitnet::compare {
namespace {

std::string read(const std::string& name) {
  std::ifstream in(std::string(BITNET_TEST_DATA_DIR) + "/transcripts/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The timing lines and the verbose-prompt block of a transcript, without the model-loading
// chatter the parsers skip anyway (keeps 20 000 regex passes fast).
std::string cli_core(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  bool prompt = false;
  while (std::getline(in, line)) {
    if (line.find("prompt:") != std::string::npos ||
        line.find("number of tokens") != std::string::npos)
      prompt = true;
    if (prompt && line.empty()) prompt = false;
    if (prompt || line.find(" time =") != std::string::npos ||
        line.find("error") != std::string::npos)
      out += line + "\n";
  }
  return out;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}
  std::string operator()(std::string s) {
    const int n = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < n; ++i) s = once(std::move(s));
    return s;
  }

 private:
  size_t pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
  std::string once(std::string s) {
    static const char* const kNumbers[] = {
        "1e308",  "18446744073709551615", "-1", "0",          "nan", "inf",  "",
        "1e-400", "99999999999999999999", "-0", "2147483648", "1.5", "0x10", "1e9",
        "3"};
    switch (rng_() % 9) {
      case 0:  // flip a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng_());
        break;
      case 1:  // insert a structural character
        s.insert(pick(s.size() + 1), 1, "\"{}[],|:\n\r\t-. 0"[pick(16)]);
        break;
      case 2: {  // delete a range
        const size_t at = pick(s.size() + 1);
        s.erase(at, pick(40));
        break;
      }
      case 3:  // truncate
        s.resize(pick(s.size() + 1));
        break;
      case 4: {  // replace a number with an implausible one
        std::vector<size_t> starts;
        for (size_t i = 0; i < s.size(); ++i)
          if (std::isdigit(static_cast<unsigned char>(s[i])) &&
              (i == 0 || !std::isdigit(static_cast<unsigned char>(s[i - 1]))))
            starts.push_back(i);
        if (starts.empty()) break;
        const size_t at = starts[pick(starts.size())];
        size_t end = at;
        while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) ||
                                  s[end] == '.' || s[end] == 'e' || s[end] == '-'))
          ++end;
        s.replace(at, end - at, kNumbers[pick(std::size(kNumbers))]);
        break;
      }
      case 5:
      case 6: {  // drop, double or swap lines
        std::vector<std::string> lines;
        std::istringstream in(s);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        if (lines.empty()) break;
        const size_t a = pick(lines.size()), b = pick(lines.size());
        const auto op = rng_() % 3;
        if (op == 0)
          lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(a));
        else if (op == 1)
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(a), lines[b]);
        else
          std::swap(lines[a], lines[b]);
        s.clear();
        for (const auto& l : lines) s += l + "\n";
        break;
      }
      case 7:  // byte order mark
        s.insert(0, "\xEF\xBB\xBF");
        break;
      case 8: {  // CRLF line ends
        std::string out;
        for (char c : s) {
          if (c == '\n') out += '\r';
          out += c;
        }
        s = out;
        break;
      }
    }
    return s;
  }
  std::mt19937_64 rng_;
};

void check_tests(const std::vector<BenchTest>& tests, const std::string& input) {
  ASSERT_FALSE(tests.empty()) << input;
  for (const BenchTest& t : tests) {
    ASSERT_GT(t.n_threads, 0) << input;
    ASSERT_GE(t.n_prompt, 0) << input;
    ASSERT_GE(t.n_gen, 0) << input;
    ASSERT_TRUE(t.avg_ts > 0 && t.avg_ts <= 1e9) << t.avg_ts << "\n" << input;
    ASSERT_TRUE(std::isfinite(t.avg_ns) && t.avg_ns >= 0) << input;
    for (double v : t.samples_ns) ASSERT_TRUE(std::isfinite(v) && v > 0) << input;
    for (double v : t.samples_ts) ASSERT_TRUE(std::isfinite(v) && v >= 0) << input;
  }
}

constexpr int kPerSeed = 20000;  // five seeds: 100 000 inputs

TEST(ParsersGenerated, LlamaBenchFormatsSurviveMutation) {
  const std::pair<const char*, BenchFormat> seeds[] = {
      {"bench-A-TQ2_0.csv", BenchFormat::kCsv},
      {"bench-A-TQ2_0.md", BenchFormat::kMarkdown},
      {"bench-A-TQ2_0.json", BenchFormat::kJson},
      {"bench-A-TQ2_0.jsonl", BenchFormat::kJsonl}};
  uint64_t seed = 1;
  for (const auto& [file, format] : seeds) {
    const std::string original = read(file);
    ASSERT_FALSE(original.empty()) << file;
    check_tests(parse_llama_bench(original, format), original);  // the seed itself parses
    Mutator mutate(seed++);
    int parsed = 0;
    for (int i = 0; i < kPerSeed; ++i) {
      const std::string input = mutate(original);
      try {
        check_tests(parse_llama_bench(input, format), input);
        ++parsed;
      } catch (const ParseError&) {
      }
      if (i % 8 == 0) {  // format detection + the same parser: a sample is enough
        try {
          (void)parse_llama_bench_any(input);
        } catch (const ParseError&) {
        }
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    // Most single mutations hit whitespace or digits: both outcomes must be exercised.
    EXPECT_GT(parsed, kPerSeed / 20) << file;
    EXPECT_LT(parsed, kPerSeed) << file;
  }
}

TEST(ParsersGenerated, LlamaCliTranscriptsSurviveMutation) {
  const std::string original = cli_core(read("cli-A-TQ2_0-t1-verbose-prompt.stderr"));
  ASSERT_LT(original.size(), 3000u);  // the core, not the whole transcript
  ASSERT_NO_THROW(parse_cli_timings(original));
  ASSERT_FALSE(parse_verbose_prompt(original).empty());
  Mutator mutate(99);
  int parsed = 0;
  for (int i = 0; i < kPerSeed; ++i) {
    const std::string input = mutate(original);
    try {
      const CliTimings t = parse_cli_timings(input);
      ASSERT_TRUE(std::isfinite(t.eval_ms) && t.eval_ms >= 0) << input;
      ASSERT_TRUE(std::isfinite(t.prompt_eval_ms) && t.prompt_eval_ms >= 0) << input;
      ASSERT_GE(t.eval_runs, 0) << input;
      ASSERT_GE(t.prompt_tokens, 0) << input;
      ++parsed;
    } catch (const ParseError&) {
    }
    try {
      for (const PromptToken& p : parse_verbose_prompt(input)) ASSERT_GE(p.id, 0) << input;
    } catch (const ParseError&) {
    }
    if (i % 8 == 0) {  // regex scans of the whole text: a sample is enough
      (void)find_load_error(input);
      (void)parse_version_output(input);
    }
  }
  EXPECT_GT(parsed, kPerSeed / 20);
}

}  // namespace
}  // namespace bitnet::compare
