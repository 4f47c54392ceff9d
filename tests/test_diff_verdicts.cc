// bench-diff verdicts on the crafted result files in tests/data/diff (see make_data.py there).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bitnet/diff/verdicts.h"
#include "bitnet/results/results.h"

namespace bitnet::diff {
namespace {

const std::string kData = std::string(BITNET_TEST_DATA_DIR) + "/diff/";
const std::string kGemv = "gemv/tq2_0/2560x2560";
const std::string kDeq = "dequant/tq2_0/65536";
const std::string kDecode = "decode/synthetic/threads:2";

DiffReport diff(const std::string& base, const std::string& cont, const DiffOptions& opts = {}) {
  return diff_results(load_results(kData + base), load_results(kData + cont), opts);
}

const BenchmarkDiff& row(const DiffReport& r, const std::string& name) {
  for (const BenchmarkDiff& d : r.rows)
    if (d.name == name) return d;
  throw std::runtime_error("no row " + name);
}

// A temporary file with the given text, removed at scope exit.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text, const std::string& name = "bench.json") {
    path =
        std::filesystem::temp_directory_path() /
        ("bitnet_diff_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + name);
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

TEST(DiffLoad, ReadsRepetitionsAggregatesAndUnits) {
  const ResultSet s = load_results(kData + "baseline.json");
  ASSERT_EQ(s.order.size(), 3u);
  EXPECT_EQ(s.order[0], kGemv);
  const BenchmarkSamples& g = s.benchmarks.at(kGemv);
  EXPECT_EQ(g.family, "gemv");
  ASSERT_EQ(g.samples.at("real_time").size(), 9u);
  EXPECT_DOUBLE_EQ(g.samples.at("real_time")[0], 100.0e3);  // 100 us in ns
  EXPECT_EQ(g.repetitions_declared, 9);
  EXPECT_NEAR(g.aggregates.at("median").at("real_time"), 100.3e3, 1e-6);
  EXPECT_LT(g.aggregates.at("cv").at("real_time"), 0.1);  // a ratio, not scaled to ns
  EXPECT_EQ(s.benchmarks.at(kDecode).samples.at("tokens/s").size(), 9u);
}

TEST(DiffLoad, MillisecondsAreScaledToNanoseconds) {
  const ResultSet s = load_results(kData + "aggregates_only.json");
  EXPECT_TRUE(s.benchmarks.at(kGemv).samples.empty());
  EXPECT_NEAR(s.benchmarks.at(kGemv).aggregates.at("median").at("real_time"), 100.3e3, 1e-3);
}

TEST(DiffLoad, HistoryDirectoryPoolsNewestRuns) {
  const ResultSet all = load_results(kData + "history", 0);
  EXPECT_EQ(all.files.size(), 3u);
  EXPECT_EQ(all.benchmarks.at(kGemv).samples.at("real_time").size(), 27u);
  EXPECT_EQ(all.benchmarks.at(kGemv).runs, 3u);
  const ResultSet two = load_results(kData + "history", 2);
  ASSERT_EQ(two.files.size(), 2u);
  EXPECT_NE(two.files[0].find("run-2.json"), std::string::npos);  // newest date first
  EXPECT_NE(two.files[1].find("run-1.json"), std::string::npos);
  EXPECT_EQ(two.benchmarks.at(kGemv).samples.at("real_time").size(), 18u);
}

TEST(DiffLoad, ErrorsAndSkipsAreRecognized) {
  const ResultSet s = load_results(kData + "changed_rows.json");
  EXPECT_TRUE(s.benchmarks.at(kGemv).errored);
  EXPECT_EQ(s.benchmarks.at(kGemv).message, "output mismatch vs reference at row 3");
  const BenchmarkSamples& skipped = s.benchmarks.at(kGemv + "/isa:avx512vnni");
  EXPECT_TRUE(skipped.skipped);
  EXPECT_FALSE(skipped.errored);
}

TEST(DiffLoad, SkipMessages) {
  EXPECT_TRUE(is_skip_message("skipped: no model"));
  EXPECT_TRUE(is_skip_message("Skipped"));
  EXPECT_TRUE(is_skip_message("CPU lacks avx512vnni"));
  EXPECT_FALSE(is_skip_message("output mismatch"));
  EXPECT_FALSE(is_skip_message("skip"));
}

TEST(DiffLoad, GoogleBenchmark18SkipShape) {
  // 1.8+ writes error_occurred=false plus a message for SkipWithMessage.
  TempFile f(R"({"benchmarks":[{"name":"a","run_type":"iteration","error_occurred":false,
              "error_message":"no VNNI","real_time":0,"cpu_time":0,"time_unit":"ns"}]})");
  const ResultSet s = load_results(f.path);
  EXPECT_TRUE(s.benchmarks.at("a").skipped);
}

TEST(DiffLoad, NonFiniteCountersAreDroppedNotFatal) {
  TempFile f(R"({"benchmarks":[{"name":"a","real_time":5,"cpu_time":5,"time_unit":"ns",
              "rate":Infinity,"other":-NaN,"label":"Infinity inside a string"}]})");
  const ResultSet s = load_results(f.path);
  EXPECT_EQ(s.benchmarks.at("a").samples.count("rate"), 0u);
  EXPECT_EQ(s.benchmarks.at("a").samples.at("real_time").at(0), 5);
}

TEST(DiffLoad, BadInputNamesFileAndField) {
  auto message = [](const std::string& text) {
    TempFile f(text);
    try {
      load_results(f.path);
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(f.path.string()), std::string::npos) << m;
      return m;
    }
    ADD_FAILURE() << "no error for " << text;
    return std::string();
  };
  EXPECT_NE(message("{\"benchmarks\": [").find("invalid JSON at byte"), std::string::npos);
  EXPECT_NE(message("{\"context\": {}}").find("missing \"benchmarks\" array"), std::string::npos);
  EXPECT_NE(message(R"({"benchmarks":[{"name":"a","real_time":1,"cpu_time":1},
                     {"name":"b","real_time":"fast","cpu_time":1}]})")
                .find("benchmarks[1].real_time: expected a number"),
            std::string::npos);
  EXPECT_NE(message(R"({"benchmarks":[{"name":"a","real_time":1,"cpu_time":1,"time_unit":"h"}]})")
                .find("benchmarks[0].time_unit: unknown time unit"),
            std::string::npos);
  EXPECT_NE(message(R"({"benchmarks":[{"real_time":1,"cpu_time":1}]})").find("\"name\""),
            std::string::npos);
  EXPECT_THROW(load_results(kData + "does-not-exist.json"), InputError);
  const auto empty_dir = std::filesystem::temp_directory_path() / "bitnet_diff_empty_history";
  std::filesystem::create_directories(empty_dir);
  EXPECT_THROW(load_results(empty_dir), InputError);
  std::filesystem::remove(empty_dir);
}

TEST(DiffCompare, ClearRegressionIsFlagged) {
  const DiffReport r = diff("baseline.json", "regression.json");
  const BenchmarkDiff& g = row(r, kGemv);
  EXPECT_EQ(g.verdict, Verdict::kRegression);
  EXPECT_NEAR(g.change, 0.20, 0.02);
  EXPECT_LT(g.p_value, 0.001);
  EXPECT_EQ(g.method, UMethod::kExact);
  ASSERT_TRUE(g.has_ci);
  EXPECT_GT(g.ci_low, 0.1);
  EXPECT_LT(g.ci_high, 0.3);
  EXPECT_EQ(row(r, kDeq).verdict, Verdict::kNoChange);
  EXPECT_EQ(row(r, kDecode).verdict, Verdict::kNoChange);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(filter_regex({kGemv}), "^(gemv/tq2_0/2560x2560)$");
}

TEST(DiffCompare, NoiseOnlyIsNoChange) {
  const DiffReport r = diff("baseline.json", "noise.json");
  for (const BenchmarkDiff& d : r.rows) {
    EXPECT_EQ(d.verdict, Verdict::kNoChange) << d.name;
    EXPECT_LT(std::fabs(d.change), 0.05) << d.name;
  }
  EXPECT_FALSE(r.failed());
  EXPECT_NEAR(r.overall.geomean_ratio, 1.0, 0.02);
}

TEST(DiffCompare, ThresholdAloneDoesNotFlagNoise) {
  // With a 0 % threshold only the U test decides: noise is still not significant.
  DiffOptions opts;
  opts.min_change = 0;
  EXPECT_FALSE(diff("baseline.json", "noise.json", opts).failed());
}

TEST(DiffCompare, LargeButNoisyChangeIsInconclusive) {
  const DiffReport r = diff("baseline.json", "wide.json");
  const BenchmarkDiff& g = row(r, kGemv);
  EXPECT_GE(g.change, 0.05);
  EXPECT_GE(g.p_value, 0.05);
  EXPECT_EQ(g.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(r.failed());
}

TEST(DiffCompare, HigherIsBetterCounter) {
  DiffOptions opts;
  opts.metric = "tokens/s";  // direction inferred: higher is better
  const DiffReport r = diff("baseline.json", "counters.json", opts);
  const BenchmarkDiff& d = row(r, kDecode);
  EXPECT_EQ(d.direction, Direction::kHigherIsBetter);
  EXPECT_NEAR(d.change, -0.15, 0.02);
  EXPECT_EQ(d.verdict, Verdict::kRegression);
  // The other rows have no tokens/s counter: reported, not failed.
  EXPECT_EQ(row(r, kDeq).verdict, Verdict::kSkipped);
  EXPECT_TRUE(r.failed());
  // The same numbers read as lower-is-better would be an improvement.
  opts.direction = Direction::kLowerIsBetter;
  EXPECT_EQ(row(diff("baseline.json", "counters.json", opts), kDecode).verdict,
            Verdict::kImprovement);
  // real_time of dequant fell 10 %: an improvement, which never fails the run.
  const DiffReport t = diff("baseline.json", "counters.json");
  EXPECT_EQ(row(t, kDeq).verdict, Verdict::kImprovement);
  EXPECT_EQ(row(t, kDecode).verdict, Verdict::kRegression);  // per-token time up 17 %
}

TEST(DiffCompare, UnknownCounterDirectionIsAnError) {
  DiffOptions opts;
  opts.metric = "bytes_checked";
  EXPECT_THROW(diff("baseline.json", "noise.json", opts), InputError);
}

TEST(DiffCompare, AddedRemovedErroredSkippedRows) {
  const DiffReport r = diff("baseline.json", "changed_rows.json");
  EXPECT_EQ(row(r, kGemv).verdict, Verdict::kErrored);
  EXPECT_NE(row(r, kGemv).message.find("output mismatch"), std::string::npos);
  EXPECT_EQ(row(r, kDeq).verdict, Verdict::kRemoved);
  EXPECT_EQ(row(r, "quant_act/i8_s/2560").verdict, Verdict::kAdded);
  EXPECT_EQ(row(r, kGemv + "/isa:avx512vnni").verdict, Verdict::kSkipped);
  EXPECT_EQ(row(r, kDecode).verdict, Verdict::kNoChange);
  EXPECT_EQ(r.count(Verdict::kErrored), 1u);
  EXPECT_TRUE(r.failed());  // an errored contender row fails by default
  DiffOptions opts;
  opts.errors_fail = false;
  // The removed dequant row alone still fails: an empty or renamed contender must not pass.
  const DiffReport no_errors = diff("baseline.json", "changed_rows.json", opts);
  EXPECT_TRUE(no_errors.failed());
  EXPECT_TRUE(no_errors.fails(row(no_errors, kDeq)));
  opts.removed_fail = false;
  EXPECT_FALSE(diff("baseline.json", "changed_rows.json", opts).failed());
  // Errored in the baseline but working now: treated as new, never a failure.
  DiffOptions allow_removed;
  allow_removed.removed_fail = false;
  const DiffReport back = diff("changed_rows.json", "baseline.json", allow_removed);
  EXPECT_EQ(row(back, kGemv).verdict, Verdict::kAdded);
  EXPECT_FALSE(back.failed());
}

TEST(DiffCompare, OneRepetitionCannotBeSignificant) {
  const DiffReport r = diff("one_rep_base.json", "one_rep_slow.json");
  const BenchmarkDiff& g = row(r, kGemv);
  EXPECT_NEAR(g.change, 0.30, 1e-12);
  EXPECT_EQ(g.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(g.has_p);
  EXPECT_FALSE(r.failed());
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find(">= 4"), std::string::npos);
}

TEST(DiffCompare, AggregatesOnlyFallBackToMedianWithANote) {
  const DiffReport r = diff("baseline.json", "aggregates_only.json");
  const BenchmarkDiff& g = row(r, kGemv);
  EXPECT_EQ(g.n_contender, 1u);
  EXPECT_NEAR(g.change, 0.0, 1e-9);
  bool noted = false;
  for (const std::string& n : g.notes) noted |= n.find("only aggregates") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(DiffCompare, HistoryBaseline) {
  const DiffReport r =
      diff_results(load_results(kData + "history"), load_results(kData + "regression.json"), {});
  EXPECT_EQ(row(r, kGemv).n_baseline, 27u);
  EXPECT_EQ(row(r, kGemv).verdict, Verdict::kRegression);
  EXPECT_EQ(row(r, kDeq).verdict, Verdict::kNoChange);
}

TEST(DiffCompare, FamilyRulesOverrideThresholdAndIgnore) {
  TempFile cfg(R"({"alpha": 0.05, "min_change_pct": 5,
                   "families": {"gem?": {"min_change_pct": 25},
                                "deco*": {"metric": "tokens/s"}}})",
               "config.json");
  DiffOptions opts;
  load_config(cfg.path.string(), opts);
  const DiffReport r = diff("baseline.json", "regression.json", opts);
  EXPECT_EQ(row(r, kGemv).verdict, Verdict::kNoChange);  // +20 % < 25 %
  EXPECT_DOUBLE_EQ(row(r, kGemv).min_change, 0.25);
  EXPECT_EQ(row(r, kDecode).metric, "tokens/s");
  EXPECT_EQ(row(r, kDecode).direction, Direction::kHigherIsBetter);
  EXPECT_FALSE(r.failed());

  TempFile ignore(R"({"families": {"gemv": {"ignore": true}}})", "ignore.json");
  DiffOptions o2;
  load_config(ignore.path.string(), o2);
  const DiffReport r2 = diff("baseline.json", "regression.json", o2);
  EXPECT_EQ(row(r2, kGemv).verdict, Verdict::kRegression);
  EXPECT_TRUE(row(r2, kGemv).ignored);
  EXPECT_FALSE(r2.failed());
}

TEST(DiffCompare, ConfigTyposAreErrors) {
  TempFile cfg(R"({"families": {"gemv": {"threshold": 10}}})", "typo.json");
  DiffOptions opts;
  try {
    load_config(cfg.path.string(), opts);
    FAIL() << "typo accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("families.gemv.threshold: unknown key"), std::string::npos)
        << e.what();
  }
}

TEST(DiffCompare, FilterSelectsBenchmarks) {
  DiffOptions opts;
  opts.filter = std::regex("^dequant");
  const DiffReport r = diff("baseline.json", "regression.json", opts);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].name, kDeq);
  EXPECT_FALSE(r.failed());
}

TEST(DiffCompare, FilterRegexEscapesSpecialCharacters) {
  const std::string re = filter_regex({"a/b:1", "x(y)+[z]"});
  EXPECT_EQ(re, "^(a/b:1|x\\(y\\)\\+\\[z])$");
  const std::regex r(re, std::regex::extended);
  EXPECT_TRUE(std::regex_search("x(y)+[z]", r));
  EXPECT_FALSE(std::regex_search("a/b:10", r));
}

TEST(DiffCompare, WarnsAboutOversubscribedOrMismatchedRuns) {
  ResultSet base = load_results(kData + "baseline.json");
  ResultSet cont = load_results(kData + "noise.json");
  EXPECT_TRUE(diff_results(base, cont, {}).warnings.empty());
  cont.context["load_avg"] = {13.0, 12.1, 10.4};  // num_cpus is 2 in the crafted files
  base.context["bitnet_best_isa"] = "avx2";
  cont.context["bitnet_best_isa"] = "avx512vnni";
  const DiffReport r = diff_results(base, cont, {});
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("13 load average on 2 CPUs"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("bitnet_best_isa: \"avx2\" vs \"avx512vnni\""), std::string::npos)
      << r.warnings[1];
  EXPECT_FALSE(r.failed());  // warnings inform, they do not fail the run
}

TEST(DiffCompare, DirectionInference) {
  EXPECT_EQ(infer_direction("real_time"), Direction::kLowerIsBetter);
  EXPECT_EQ(infer_direction("tokens/s"), Direction::kHigherIsBetter);
  EXPECT_EQ(infer_direction("bytes_per_second"), Direction::kHigherIsBetter);
  EXPECT_EQ(infer_direction("GFLOPS"), Direction::kHigherIsBetter);
  EXPECT_EQ(infer_direction("GOPS"), Direction::kHigherIsBetter);
  EXPECT_EQ(infer_direction("peak_frac"), Direction::kHigherIsBetter);
  EXPECT_EQ(infer_direction("bits_per_weight"), Direction::kAuto);
  EXPECT_EQ(infer_direction("latency_ms"), Direction::kLowerIsBetter);
  EXPECT_EQ(infer_direction("nmse"), Direction::kAuto);
}

}  // namespace
}  // namespace bitnet::diff
