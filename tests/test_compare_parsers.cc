// Parsers on real llama.cpp / bitnet.cpp output (tests/data/transcripts, provenance in
// tests/data/README.md) plus malformed variants that must fail with a located message.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "bitnet/compare/peer_output.h"

namespace bitnet::compare {
namespace {

std::string read(const std::string& name) {
  std::ifstream in(std::string(BITNET_TEST_DATA_DIR) + "/transcripts/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class F>
std::string parse_error_of(F&& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(no ParseError)";
}

TEST(CompareParsers, LlamaBenchJson) {
  auto tests = parse_llama_bench(read("bench-A-TQ2_0.json"), BenchFormat::kJson);
  ASSERT_EQ(tests.size(), 2u);
  const BenchTest& pp = tests[0];
  EXPECT_EQ(pp.build_commit, "c392e5094");
  EXPECT_EQ(pp.build_number, 4748);
  EXPECT_EQ(pp.model_filename, "tiny-bitnet-A-TQ2_0.gguf");
  EXPECT_EQ(pp.model_type, "bitnet ?B TQ2_0 - 2.06 bpw ternary");
  EXPECT_EQ(pp.cpu_info, "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(pp.n_threads, 2);
  EXPECT_EQ(pp.n_prompt, 32);
  EXPECT_EQ(pp.n_gen, 0);
  EXPECT_EQ(pp.samples_ns, (std::vector<double>{1068036, 1012899, 3994563}));
  EXPECT_DOUBLE_EQ(pp.avg_ts, 23188.304723);
  const BenchTest& tg = tests[1];
  EXPECT_EQ(tg.n_prompt, 0);
  EXPECT_EQ(tg.n_gen, 16);
  EXPECT_EQ(tg.samples_ns, (std::vector<double>{2486318, 2813743, 2357990}));
  EXPECT_EQ(tg.samples_ts, (std::vector<double>{6435.22, 5686.38, 6785.44}));
  EXPECT_DOUBLE_EQ(tg.stddev_ns, 235023);
}

TEST(CompareParsers, LlamaBenchJsonl) {
  auto tests = parse_llama_bench(read("bench-A-TQ2_0.jsonl"), BenchFormat::kJsonl);
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].samples_ns, (std::vector<double>{1065757, 1093774, 1015573}));
  EXPECT_EQ(tests[1].n_gen, 16);
  EXPECT_EQ(tests[1].samples_ns, (std::vector<double>{2669125, 2541046, 2577939}));
  EXPECT_EQ(tests[1].test_time, "2026-11-26T16:56:45Z");
}

TEST(CompareParsers, LlamaBenchOutlierJsonlKeepsTheOutlier) {
  auto tests = parse_llama_bench(read("bench-A-TQ2_0-outlier.jsonl"), BenchFormat::kJsonl);
  ASSERT_EQ(tests.size(), 2u);
  ASSERT_EQ(tests[1].samples_ns.size(), 3u);
  EXPECT_DOUBLE_EQ(tests[1].samples_ns[1], 1381375742);
  EXPECT_DOUBLE_EQ(tests[1].samples_ts[1], 11.5827);
}

TEST(CompareParsers, LlamaBenchCsv) {
  auto tests = parse_llama_bench(read("bench-A-TQ2_0.csv"), BenchFormat::kCsv);
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].cpu_info, "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(tests[0].n_prompt, 32);
  EXPECT_DOUBLE_EQ(tests[0].avg_ns, 1000043);
  EXPECT_DOUBLE_EQ(tests[1].avg_ts, 5264.763234);
  EXPECT_DOUBLE_EQ(tests[1].stddev_ts, 2514.625400);
  EXPECT_TRUE(tests[1].samples_ns.empty());
  EXPECT_EQ(tests[1].build_number, 4748);
}

TEST(CompareParsers, LlamaBenchMarkdown) {
  auto tests = parse_llama_bench(read("bench-A-TQ2_0.md"), BenchFormat::kMarkdown);
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].model_type, "bitnet ?B TQ2_0 - 2.06 bpw ternary");
  EXPECT_EQ(tests[0].n_prompt, 32);
  EXPECT_DOUBLE_EQ(tests[0].avg_ts, 28534.88);
  EXPECT_DOUBLE_EQ(tests[0].stddev_ts, 2336.90);
  EXPECT_EQ(tests[1].n_gen, 16);
  EXPECT_DOUBLE_EQ(tests[1].avg_ts, 5997.97);
  EXPECT_EQ(tests[1].build_commit, "c392e5094");
  EXPECT_EQ(tests[1].build_number, 4748);
}

TEST(CompareParsers, BitnetCppMarkdownWithThreeTables) {
  auto tests = parse_llama_bench(read("bench-tiny-I2_S.md"), BenchFormat::kMarkdown);
  ASSERT_EQ(tests.size(), 6u);
  const double ts[] = {5279.50, 1791.33, 1059.26, 694.02, 767.77, 384.21};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(tests[i].n_gen, 64);
    EXPECT_EQ(tests[i].n_threads, i % 2 ? 2 : 1);
    EXPECT_DOUBLE_EQ(tests[i].avg_ts, ts[i]);
    EXPECT_EQ(tests[i].build_commit, "unknown");
    EXPECT_EQ(tests[i].build_number, 0);
    EXPECT_EQ(tests[i].model_type, "bitnet ?B I2_S - 2 bpw ternary");
  }
}

TEST(CompareParsers, FormatIsDetected) {
  EXPECT_EQ(parse_llama_bench_any(read("bench-A-TQ2_0.json")).size(), 2u);
  EXPECT_EQ(parse_llama_bench_any(read("bench-A-TQ2_0.jsonl")).size(), 2u);
  EXPECT_EQ(parse_llama_bench_any(read("bench-A-TQ2_0.csv")).size(), 2u);
  EXPECT_EQ(parse_llama_bench_any(read("bench-A-TQ2_0.md")).size(), 2u);
  EXPECT_NE(parse_error_of([] { parse_llama_bench_any("  \n"); }).find("printed nothing"),
            std::string::npos);
}

TEST(CompareParsers, MalformedLlamaBenchOutputNamesTheProblem) {
  std::string json = read("bench-A-TQ2_0.json");
  std::string e =
      parse_error_of([&] { parse_llama_bench(json.substr(0, 500), BenchFormat::kJson); });
  EXPECT_NE(e.find("not valid JSON at byte"), std::string::npos) << e;

  std::string jsonl = read("bench-A-TQ2_0.jsonl");
  size_t pos = jsonl.rfind("\"avg_ts\"");
  jsonl.replace(pos, 8, "\"avg_tx\"");
  e = parse_error_of([&] { parse_llama_bench(jsonl, BenchFormat::kJsonl); });
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
  EXPECT_NE(e.find("'avg_ts'"), std::string::npos) << e;

  e = parse_error_of([] { parse_llama_bench("[{\"n_threads\": 2}]", BenchFormat::kJson); });
  EXPECT_NE(e.find("test [0]"), std::string::npos) << e;

  std::string csv = read("bench-A-TQ2_0.csv");
  csv += "\"c392e5094\",\"4748\"\n";
  e = parse_error_of([&] { parse_llama_bench(csv, BenchFormat::kCsv); });
  EXPECT_NE(e.find("csv line 4"), std::string::npos) << e;

  std::string md = read("bench-A-TQ2_0.md");
  md.replace(md.find("28534.88 ± 2336.90"), 18, "fast              ");
  e = parse_error_of([&] { parse_llama_bench(md, BenchFormat::kMarkdown); });
  EXPECT_NE(e.find("md line 3"), std::string::npos) << e;
  EXPECT_NE(e.find("t/s"), std::string::npos) << e;

  e = parse_error_of([] {
    parse_llama_bench(
        "[{\"n_threads\":1,\"n_prompt\":0,\"n_gen\":4,\"avg_ns\":1,\"stddev_ns\":0,"
        "\"avg_ts\":0,\"stddev_ts\":0}]",
        BenchFormat::kJson);
  });
  EXPECT_NE(e.find("avg_ts must be > 0"), std::string::npos) << e;
}

TEST(CompareParsers, CliTimingsCurrentFormatOneThread) {
  CliTimings t = parse_cli_timings(read("cli-A-TQ2_0-t1.stderr"));
  EXPECT_EQ(t.format, TimingFormat::kPerfContext);
  EXPECT_DOUBLE_EQ(t.load_ms, 5.18);
  EXPECT_DOUBLE_EQ(t.prompt_eval_ms, 0.55);
  EXPECT_EQ(t.prompt_tokens, 5);
  EXPECT_DOUBLE_EQ(t.eval_ms, 3.13);
  EXPECT_EQ(t.eval_runs, 15);
  ASSERT_TRUE(t.total_ms);
  EXPECT_DOUBLE_EQ(*t.total_ms, 6.42);
}

TEST(CompareParsers, CliTimingsCurrentFormatTwoThreads) {
  CliTimings t = parse_cli_timings(read("cli-A-TQ2_0-t2.stderr"));
  EXPECT_DOUBLE_EQ(t.prompt_eval_ms, 518.32);
  EXPECT_DOUBLE_EQ(t.eval_ms, 2077.23);
  EXPECT_EQ(t.eval_runs, 15);
}

TEST(CompareParsers, CliTimingsBitnetCpp) {
  CliTimings t = parse_cli_timings(read("cli-A-I2_S-t1.stderr"));
  EXPECT_EQ(t.format, TimingFormat::kPerfContext);
  EXPECT_DOUBLE_EQ(t.eval_ms, 3.09);
  EXPECT_EQ(t.eval_runs, 15);
  EXPECT_DOUBLE_EQ(t.prompt_eval_ms, 0.55);
}

TEST(CompareParsers, CliTimingsOlderPrintTimingsFormat) {
  CliTimings t = parse_cli_timings(read("old-print-timings-handwritten.stderr"));
  EXPECT_EQ(t.format, TimingFormat::kPrintTimings);
  EXPECT_DOUBLE_EQ(t.load_ms, 134.84);
  EXPECT_DOUBLE_EQ(t.prompt_eval_ms, 925.78);
  EXPECT_EQ(t.prompt_tokens, 24);
  EXPECT_DOUBLE_EQ(t.eval_ms, 4178.32);
  EXPECT_EQ(t.eval_runs, 31);
  EXPECT_DOUBLE_EQ(*t.total_ms, 5211.06);
}

TEST(CompareParsers, CliErrorOutputsHaveNoTimingsButALoadError) {
  for (const char* name : {"err-missing-model.stderr", "err-truncated-gguf.stderr"}) {
    std::string err = read(name);
    std::string e = parse_error_of([&] { parse_cli_timings(err); });
    EXPECT_NE(e.find("no timing lines"), std::string::npos) << e;
  }
  EXPECT_EQ(find_load_error(read("err-missing-model.stderr")).value_or(""),
            "gguf_init_from_file: failed to open GGUF file 'does-not-exist.gguf'");
  EXPECT_EQ(find_load_error(read("err-truncated-gguf.stderr")).value_or(""),
            "gguf_init_from_file_impl: failed to read key-value pairs");
  EXPECT_FALSE(find_load_error(read("cli-A-TQ2_0-t1.stderr")));
}

TEST(CompareParsers, EvalLineWithoutRunCountIsAnError) {
  std::string e = parse_error_of([] {
    parse_cli_timings(
        "llama_perf_context_print: prompt eval time =  0.35 ms /     5 tokens (...)\n"
        "llama_perf_context_print:        eval time =  1.89 ms\n");
  });
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
  EXPECT_NE(e.find("no run count"), std::string::npos) << e;
}

TEST(CompareParsers, VerbosePromptTokenIds) {
  auto toks = parse_verbose_prompt(read("cli-A-TQ2_0-t1-verbose-prompt.stderr"));
  ASSERT_EQ(toks.size(), 5u);
  const int ids[] = {1, 410, 390, 394, 396};
  const char* pieces[] = {"<s>", " The", " quick", " brown", " fox"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(toks[i].id, ids[i]);
    EXPECT_EQ(toks[i].piece, pieces[i]);
  }
  EXPECT_TRUE(parse_verbose_prompt(read("cli-A-TQ2_0-t1.stderr")).empty());
}

TEST(CompareParsers, VerbosePromptPieceWithNewline) {
  auto toks = parse_verbose_prompt(
      "main: number of tokens in prompt = 3\n     1 -> '<s>'\n    13 -> '\n'\n   300 -> 'x'\n");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[1].id, 13);
  EXPECT_EQ(toks[1].piece, "\n");
  EXPECT_EQ(toks[2].id, 300);
  std::string e = parse_error_of(
      [] { parse_verbose_prompt("main: number of tokens in prompt = 3\n     1 -> '<s>'\n"); });
  EXPECT_NE(e.find("expected 3 tokens"), std::string::npos) << e;
}

}  // namespace
}  // namespace bitnet::compare
