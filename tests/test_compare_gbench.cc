// Google Benchmark JSON from peer numbers: names, per-repetition rows, aggregates, units, and the
// side-by-side table against our rows.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "bitnet/compare/convert.h"
#include "bitnet/compare/input_file.h"
#include "bitnet/compare/peer_output.h"
#include "bitnet/compare/peer_runner.h"
#include "bitnet/compare/side_by_side.h"
#include "bitnet/results/gbench_json.h"
#include "compare_helpers/test_util.h"

namespace bitnet::compare {
namespace {

using testing::slurp;
using testing::transcript;
using ojson = nlohmann::ordered_json;

PeerContext ctx() {
  PeerContext c;
  c.peer = "llama.cpp";
  c.model_label = "tiny-bitnet-a-tq2_0";
  c.model_sha256 = std::string(64, 'a');
  return c;
}

const ojson* find_row(const ojson& doc, const std::string& name) {
  for (const auto& b : doc["benchmarks"])
    if (b["name"] == name) return &b;
  return nullptr;
}

TEST(CompareGbench, Stats) {
  Stats s = compute_stats({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(5.0 / 3.0));
  s = compute_stats({7});
  EXPECT_DOUBLE_EQ(s.median, 7);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
}

TEST(CompareGbench, LabelsAndNames) {
  EXPECT_EQ(default_model_label("/x/y/tiny-bitnet-A-TQ2_0.gguf"), "tiny-bitnet-a-tq2_0");
  EXPECT_EQ(sanitize_label("Model 2B+4T"), "model_2b_4t");
  Measurement m;
  m.phase = "decode";
  m.threads = 2;
  m.tokens = 16;
  EXPECT_EQ(row_name(ctx(), m), "peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2");
  m.phase = "prefill";
  m.tokens = 32;
  EXPECT_EQ(row_name(ctx(), m), "peer/llama.cpp/prefill/tiny-bitnet-a-tq2_0/tokens:32/threads:2");
  EXPECT_THROW(ns_per_unit("minutes"), std::invalid_argument);
}

// The streamed writer and the whole-document function give the same document (the date is read
// when each writes its context, so it is compared apart).
TEST(CompareGbench, StreamedWriterWritesTheSameDocument) {
  for (const char* file : {"bench-A-TQ2_0.jsonl", "bench-A-TQ2_0.csv"}) {
    const auto tests = parse_llama_bench_any(slurp(transcript(file)));
    const auto rows = measurements_from_bench(tests);
    std::ostringstream streamed;
    GbenchJsonWriter w(streamed, ctx(), "us");
    for (const auto& m : rows) w.add(m);
    w.finish();
    ojson whole = to_gbench_json(ctx(), rows, "us");
    ojson got = ojson::parse(streamed.str());
    got["context"].erase("date");
    whole["context"].erase("date");
    got["context"].erase("load_avg");
    whole["context"].erase("load_avg");
    EXPECT_EQ(got.dump(2), whole.dump(2)) << file;
    // Byte for byte apart from those: re-dumping the streamed text changes nothing.
    EXPECT_EQ(ojson::parse(streamed.str()).dump(2), streamed.str()) << file;
  }
  std::ostringstream empty;
  GbenchJsonWriter w(empty, ctx());
  w.finish();
  EXPECT_EQ(ojson::parse(empty.str()).dump(2), empty.str());
}

// Every input form streamed gives the rows the whole-text parser gives.
TEST(CompareGbench, StreamedParseMatchesWholeParse) {
  for (const char* file :
       {"bench-A-TQ2_0.json", "bench-A-TQ2_0.jsonl", "bench-A-TQ2_0.csv", "bench-A-TQ2_0.md"}) {
    const auto whole = parse_llama_bench_any(slurp(transcript(file)));
    InputStream in(transcript(file));
    std::vector<BenchTest> streamed;
    for_each_llama_bench_test(in, [&](const BenchTest& t) { streamed.push_back(t); });
    ASSERT_EQ(streamed.size(), whole.size()) << file;
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(streamed[i].n_threads, whole[i].n_threads) << file;
      EXPECT_EQ(streamed[i].samples_ns, whole[i].samples_ns) << file;
      EXPECT_EQ(streamed[i].avg_ts, whole[i].avg_ts) << file;
      EXPECT_EQ(streamed[i].build_commit, whole[i].build_commit) << file;
    }
  }
}

// A conversion that fails half way leaves no output file, and an existing one as it was.
TEST(CompareGbench, FailedConvertLeavesNoHalfFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("convert_half_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string in = (dir / "in.jsonl").string(), out = (dir / "out.json").string();
  const std::string good = slurp(transcript("bench-A-TQ2_0.jsonl"));
  std::ofstream(in) << good << "{\"n_threads\": \"two\"}\n";
  std::ofstream(out) << "previous";
  try {
    convert_llama_bench_to({in, "llama.cpp", std::nullopt, "ns"}, out);
    ADD_FAILURE() << "converted a bad line";
  } catch (const CompareError& e) {
    EXPECT_NE(std::string(e.what()).find("jsonl line 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(out), "previous");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 2);  // no temp left
  std::ofstream(in, std::ios::trunc) << good;
  convert_llama_bench_to({in, "llama.cpp", std::string("m"), "ns"}, out);
  EXPECT_EQ(ojson::parse(slurp(out))["context"]["model_label"], "m");
  std::filesystem::remove_all(dir);
}

TEST(CompareGbench, OutlierRunKeepsMedianHonest) {
  auto rows = measurements_from_bench(
      parse_llama_bench(slurp(transcript("bench-A-TQ2_0-outlier.jsonl")), BenchFormat::kJsonl));
  ojson doc = to_gbench_json(ctx(), rows, "us");
  ASSERT_EQ(doc["benchmarks"].size(), 12u);  // 2 cases × (3 repetitions + mean/median/stddev)
  const std::string dec = "peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2";
  const ojson* rep1 = find_row(doc, dec);
  ASSERT_TRUE(rep1);
  EXPECT_EQ((*rep1)["run_type"], "iteration");
  EXPECT_EQ((*rep1)["repetition_index"], 0);
  EXPECT_EQ((*rep1)["repetitions"], 3);
  EXPECT_EQ((*rep1)["threads"], 2);
  EXPECT_EQ((*rep1)["iterations"], 16);
  EXPECT_EQ((*rep1)["time_unit"], "us");
  EXPECT_DOUBLE_EQ((*rep1)["real_time"].get<double>(), 2491203.0 / 16 / 1e3);
  EXPECT_DOUBLE_EQ((*rep1)["tokens_per_second"].get<double>(), 6422.6);

  const ojson* median = find_row(doc, dec + "_median");
  const ojson* mean = find_row(doc, dec + "_mean");
  const ojson* sd = find_row(doc, dec + "_stddev");
  ASSERT_TRUE(median && mean && sd);
  EXPECT_EQ((*median)["run_type"], "aggregate");
  EXPECT_EQ((*median)["aggregate_name"], "median");
  EXPECT_EQ((*median)["run_name"], dec);
  EXPECT_DOUBLE_EQ((*median)["real_time"].get<double>(), 2491203.0 / 16 / 1e3);
  EXPECT_DOUBLE_EQ((*median)["tokens_per_second"].get<double>(), 6422.6);
  EXPECT_DOUBLE_EQ((*mean)["real_time"].get<double>(),
                   (2491203.0 + 1381375742.0 + 2444152.0) / 3 / 16 / 1e3);
  EXPECT_GT((*mean)["real_time"].get<double>(), 100 * (*median)["real_time"].get<double>());
  EXPECT_GT((*sd)["real_time"].get<double>(), 0);

  const ojson* pp = find_row(doc, "peer/llama.cpp/prefill/tiny-bitnet-a-tq2_0/tokens:32/threads:2");
  ASSERT_TRUE(pp);
  EXPECT_EQ((*pp)["iterations"], 32);
  EXPECT_EQ(doc["context"]["model_sha256"], std::string(64, 'a'));
  EXPECT_EQ(doc["context"]["peer"], "llama.cpp");
}

TEST(CompareGbench, MarkdownGivesMeanAndStddevOnly) {
  auto rows = measurements_from_bench(
      parse_llama_bench(slurp(transcript("bench-A-TQ2_0.md")), BenchFormat::kMarkdown));
  ojson doc = to_gbench_json(ctx(), rows, "ms");
  ASSERT_EQ(doc["benchmarks"].size(), 4u);
  const ojson* mean = find_row(doc, "peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2_mean");
  ASSERT_TRUE(mean);
  EXPECT_DOUBLE_EQ((*mean)["tokens_per_second"].get<double>(), 5997.97);
  EXPECT_DOUBLE_EQ((*mean)["real_time"].get<double>(), 1e3 / 5997.97);
  EXPECT_FALSE(find_row(doc, "peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2_median"));
}

TEST(CompareGbench, CombinedPpTgTestIsRejected) {
  BenchTest t;
  t.n_threads = 1;
  t.n_prompt = 512;
  t.n_gen = 128;
  t.avg_ts = 1;
  EXPECT_THROW(measurements_from_bench({t}), ParseError);
}

TEST(CompareGbench, CliRunsBecomeRepetitions) {
  std::vector<Measurement> rows;
  add_cli_run(rows, parse_cli_timings(slurp(transcript("cli-A-TQ2_0-t1.stderr"))), 1);
  add_cli_run(rows, parse_cli_timings(slurp(transcript("cli-A-TQ2_0-t1-verbose-prompt.stderr"))),
              1);
  ASSERT_EQ(rows.size(), 2u);
  const Measurement& pp = rows[0].phase == "prefill" ? rows[0] : rows[1];
  const Measurement& tg = rows[0].phase == "decode" ? rows[0] : rows[1];
  EXPECT_EQ(pp.tokens, 5);
  EXPECT_EQ(tg.tokens, 16);
  ASSERT_EQ(tg.ns_per_token.size(), 2u);
  EXPECT_DOUBLE_EQ(tg.ns_per_token[0], 3.13e6 / 15);
  EXPECT_DOUBLE_EQ(tg.ns_per_token[1], 1.89e6 / 15);
  EXPECT_DOUBLE_EQ(pp.ns_per_token[0], 0.55e6 / 5);
}

ojson our_doc(std::vector<double> tps) {
  ojson doc = {{"context", {{"executable", "bitnet_benches"}}}, {"benchmarks", ojson::array()}};
  for (size_t i = 0; i < tps.size(); ++i)
    doc["benchmarks"].push_back(
        {{"name", "decode/tiny-bitnet-a-tq2_0/pos:0/threads:2/real_time"},
         {"run_name", "decode/tiny-bitnet-a-tq2_0/pos:0/threads:2/real_time"},
         {"run_type", "iteration"},
         {"repetition_index", i},
         {"real_time", 1e3 / tps[i]},
         {"time_unit", "ms"},
         {"tokens_per_second", tps[i]}});
  doc["benchmarks"].push_back({{"name", "gemv/tq2_0/x/M:1/K:256/N:256/threads:2/hot"},
                               {"run_type", "iteration"},
                               {"real_time", 1.0}});
  return doc;
}

TEST(CompareGbench, SideBySidePoolsRepetitionsAcrossFiles) {
  auto rows = measurements_from_bench(
      parse_llama_bench(slurp(transcript("bench-A-TQ2_0-outlier.jsonl")), BenchFormat::kJsonl));
  nlohmann::json peer = nlohmann::json::parse(to_gbench_json(ctx(), rows, "ms").dump());
  nlohmann::json o1 = nlohmann::json::parse(our_doc({100, 300}).dump());
  nlohmann::json o2 = nlohmann::json::parse(our_doc({200}).dump());
  auto ours = collect_cases({o1, o2});
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(ours[0].tps.size(), 3u);
  EXPECT_DOUBLE_EQ(ours[0].median_tps, 200);
  auto side = side_by_side(ours, collect_cases({peer}));
  ASSERT_EQ(side.size(), 1u);
  EXPECT_EQ(side[0].phase, "decode");
  EXPECT_EQ(side[0].threads, 2);
  EXPECT_EQ(side[0].peer, "llama.cpp");
  EXPECT_DOUBLE_EQ(side[0].peer_tps, 6422.6);  // the median, not dragged down by the outlier
  EXPECT_DOUBLE_EQ(side[0].ratio, 200 / 6422.6);
  const std::string table = format_side_by_side(side);
  EXPECT_NE(table.find("peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2"), std::string::npos)
      << table;
  EXPECT_NE(table.find("0.031x"), std::string::npos) << table;
  auto merged = merge_reports({o1, o2}, {peer});
  EXPECT_EQ(merged["benchmarks"].size(), 3u + 2u + 12u);
  EXPECT_EQ(merged["context"]["peer_context"]["peer"], "llama.cpp");
}

TEST(CompareGbench, SideBySideWithNothingInCommon) {
  auto rows = measurements_from_bench(
      parse_llama_bench(slurp(transcript("bench-A-TQ2_0.json")), BenchFormat::kJson));
  nlohmann::json peer = nlohmann::json::parse(to_gbench_json(ctx(), rows).dump());
  nlohmann::json o = nlohmann::json::parse(our_doc({100}).dump());
  o["benchmarks"][0]["name"] = o["benchmarks"][0]["run_name"] =
      "decode/m/pos:0/threads:1/real_time";
  auto side = side_by_side(collect_cases({o}), collect_cases({peer}));
  EXPECT_TRUE(side.empty());
  EXPECT_NE(format_side_by_side(side).find("no matching"), std::string::npos);
}

TEST(CompareGbench, UnlikePrefillLengthsAreFlaggedWithoutARatio) {
  auto doc = [](const std::string& name) {
    nlohmann::json d;
    d["benchmarks"] = nlohmann::json::array({{{"name", name},
                                              {"run_name", name},
                                              {"run_type", "iteration"},
                                              {"real_time", 1.0},
                                              {"tokens_per_second", 1000.0}}});
    return d;
  };
  const auto ours = collect_cases({doc("prefill/m/tokens:128/threads:1/real_time")});
  const auto peer32 = collect_cases({doc("peer/llama.cpp/prefill/m/tokens:32/threads:1")});
  const auto peer128 = collect_cases({doc("peer/llama.cpp/prefill/m/tokens:128/threads:1")});
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(ours[0].tokens, 128);
  auto side = side_by_side(ours, peer32);
  ASSERT_EQ(side.size(), 1u);
  EXPECT_TRUE(side[0].unlike);
  EXPECT_EQ(side[0].ratio, 0);
  const std::string table = format_side_by_side(side);
  EXPECT_NE(table.find("unlike"), std::string::npos) << table;
  EXPECT_NE(table.find("has 128 prompt tokens"), std::string::npos) << table;
  EXPECT_EQ(table.find("1.000x"), std::string::npos) << table;
  side = side_by_side(ours, peer128);
  ASSERT_EQ(side.size(), 1u);
  EXPECT_FALSE(side[0].unlike);
  EXPECT_DOUBLE_EQ(side[0].ratio, 1.0);
}

}  // namespace
}  // namespace bitnet::compare
