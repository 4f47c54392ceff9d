// bench-report's model (result rows -> chart series), its charts and its dashboard exports, on
// the real quick-suite run in tests/data/report/ and crafted rows.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "bitnet/diff/arrange.h"
#include "bitnet/report/charts.h"
#include "bitnet/report/exports.h"
#include "bitnet/report/html_page.h"
#include "bitnet/report/kernel_summary.h"
#include "bitnet/report/machine_model.h"

namespace {

using namespace bitnet::report;
namespace fs = std::filesystem;

const std::string kData = std::string(BITNET_TEST_DATA_DIR) + "/report";

const RunData& quick() {
  static const RunData run = load_run(kData + "/quick.json");
  return run;
}

// A one-repetition Google Benchmark row.
nlohmann::json row(const std::string& name, double ns, const std::string& label = "",
                   nlohmann::json counters = nlohmann::json::object()) {
  nlohmann::json r = {{"name", name},     {"run_name", name},      {"run_type", "iteration"},
                      {"repetitions", 1}, {"repetition_index", 0}, {"iterations", 10},
                      {"real_time", ns},  {"cpu_time", ns},        {"time_unit", "ns"}};
  if (!label.empty()) r["label"] = label;
  for (const auto& [k, v] : counters.items()) r[k] = v;
  return r;
}

RunData run_of(const std::vector<nlohmann::json>& rows, const std::string& source = "crafted") {
  nlohmann::json doc = {{"context", {{"date", "2026-12-01T00:00:00+00:00"}}}, {"benchmarks", rows}};
  return make_run(bitnet::diff::parse_results(doc, source));
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(ReportRunData, ReadsTheQuickSuiteRun) {
  const RunData& r = quick();
  EXPECT_EQ(r.rows.size(), 142u);
  const Row* g = r.find("gemv/tq2_0/dispatch/M:2560/K:2560/N:1/threads:1/hot/real_time");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->label, "matmul_tq2_0_q8k_4x1__avx512vnni");
  EXPECT_EQ(g->repetitions, 3u);
  ASSERT_TRUE(g->parsed);
  EXPECT_EQ(g->parsed->family, "gemv");
  EXPECT_EQ(g->label_at(1), "dispatch");
  EXPECT_EQ(g->arg("M"), 2560);
  EXPECT_LE(g->low.at("real_time"), g->median.at("real_time"));
  EXPECT_GE(g->high.at("real_time"), g->median.at("real_time"));
}

TEST(ReportRunData, PeerRowsKeepFamilyAndThreads) {
  const RunData r = load_run(kData + "/peer-merged.json");
  const Row* p = r.find("peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->peer, "llama.cpp");
  EXPECT_EQ(p->parsed->family, "decode");
  EXPECT_EQ(p->label_at(0), "tiny-bitnet-a-tq2_0");
  EXPECT_EQ(p->arg("threads"), 2);
}

TEST(ReportRunData, ShortKernelLabels) {
  EXPECT_EQ(short_impl("matmul_tq2_0_q8k_4x1__avx2"), "avx2 4x1");
  EXPECT_EQ(short_impl("matmul_tq1_0_q8k_16x16__avx2_lut"), "avx2_lut 16x16");
  EXPECT_EQ(short_impl("dequant_tq2_0_f32_1x1__scalar"), "scalar");
  EXPECT_EQ(short_impl("dispatch"), "dispatch");
  EXPECT_EQ(short_impl("avx2.4x1"), "avx2.4x1");
  EXPECT_TRUE(is_scalar_impl("matmul_i2s_i8s_1x1__scalar"));
  EXPECT_TRUE(is_scalar_impl("scalar"));
  EXPECT_FALSE(is_scalar_impl("matmul_i2s_i8s_4x1__avx512vnni"));
}

TEST(ReportMachine, LimitsDispatchAndFacts) {
  const MachineInfo m = machine_info(quick());
  EXPECT_GT(find_limit(m, "dram_read", "", 1), 1e9);
  EXPECT_GT(find_limit(m, "l2_read", "", 2), find_limit(m, "dram_read", "", 2));
  EXPECT_GT(find_limit(m, "int8_peak", "avx512vnni", 2), 0);
  EXPECT_EQ(find_limit(m, "dram_read", "", 7), 0);
  auto has = [&](const std::string& k) {
    return std::any_of(m.facts.begin(), m.facts.end(), [&](const auto& f) { return f.first == k; });
  };
  EXPECT_TRUE(has("CPU"));
  EXPECT_TRUE(has("Load average"));
  EXPECT_NE(std::find(m.features.begin(), m.features.end(), "avx2"), m.features.end());
  bool dispatch = false;
  for (const auto& [k, v] : m.dispatch)
    if (k == "matmul_tq2_0_n1") dispatch = v == "matmul_tq2_0_q8k_4x1__avx512vnni";
  EXPECT_TRUE(dispatch);
  EXPECT_TRUE(m.tuning.empty());
}

TEST(ReportMachine, TuningKeysAreShown) {
  RunData r = run_of({row("gemv/tq2_0/dispatch/M:64/K:256/N:1/threads:1/hot", 100)});
  r.context["bitnet_tuning_matmul_tq2_0"] = "tile 4x1";
  const MachineInfo m = machine_info(r);
  ASSERT_EQ(m.tuning.size(), 1u);
  EXPECT_EQ(m.tuning[0].second, "tile 4x1");
}

TEST(ReportRoofline, OneChartPerThreadCountWithMeasuredCeilings) {
  const RunData& r = quick();
  const auto charts = roofline_charts(r, machine_info(r));
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].threads, 1);
  EXPECT_EQ(charts[1].threads, 2);
  std::size_t rows_with_gops = 0;
  for (const Row& row : r.rows)
    if (row.get("GOPS") && row.parsed && row.parsed->family.starts_with("gem")) ++rows_with_gops;
  EXPECT_EQ(charts[0].points.size() + charts[1].points.size(), rows_with_gops);
  std::set<std::string> names;
  for (const Ceiling& c : charts[1].ceilings) names.insert(c.name);
  EXPECT_TRUE(names.contains("DRAM read"));
  EXPECT_TRUE(names.contains("L2 read"));
  EXPECT_TRUE(names.contains("int8 peak (avx512vnni)"));
  for (const RooflinePoint& p : charts[1].points) {
    const Row* row = r.find(p.name);
    ASSERT_NE(row, nullptr);
    EXPECT_DOUBLE_EQ(p.intensity, *row->get("GOPS") * 1e9 / *row->get("bytes_per_second"));
  }
  EXPECT_TRUE(std::any_of(charts[0].points.begin(), charts[0].points.end(),
                          [](const RooflinePoint& p) { return p.cold; }));
  const std::string svg = roofline_svg(charts[1]);
  EXPECT_EQ(count(svg, "data-residency="), charts[1].points.size());
  EXPECT_GE(count(svg, "data-ceiling="), 4u);
}

TEST(ReportBreakdown, SharesOfEveryDecodeAndPrefillRow) {
  const DecodeBreakdown b = decode_breakdown(quick());
  ASSERT_EQ(b.bars.size(), 8u);
  EXPECT_EQ(b.parts.front(), "embed");
  EXPECT_EQ(b.parts.back(), "lm_head");
  for (const BreakdownBar& bar : b.bars) {
    double sum = 0;
    for (const auto& [part, share] : bar.parts) sum += share;
    EXPECT_NEAR(sum, 1.0, 0.02) << bar.name;  // one repetition's shares
    EXPECT_GT(bar.ms_per_token, 0);
  }
  const std::string svg = breakdown_svg(b);
  EXPECT_EQ(count(svg, "data-series=\"lm_head\""), 8u);
}

TEST(ReportKernelSummary, FlagsADispatchPickSlowerThanTheBest) {
  const std::string c = "/M:64/K:256/N:1/threads:1/hot";
  const RunData r = run_of(
      {row("gemv/tq2_0/dispatch" + c, 150, "k_avx2"),
       row("gemv/tq2_0/scalar" + c, 1000, "k_scalar"), row("gemv/tq2_0/avx2" + c, 140, "k_avx2"),
       row("gemv/tq2_0/avx512vnni" + c, 100, "k_vnni"),
       row("gemv/i2_s/dispatch" + c, 101, "i_vnni"), row("gemv/i2_s/avx2" + c, 103, "i_avx2"),
       row("gemv/i2_s/avx512vnni" + c, 100, "i_vnni"), row("gemv/i2_s/avx2_lut" + c, 99, "i_lut")});
  const auto cases = kernel_summary(r, 0.05);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].best_impl, "avx512vnni");
  EXPECT_EQ(cases[0].dispatch_impl, "avx2");
  EXPECT_TRUE(cases[0].flagged);
  EXPECT_DOUBLE_EQ(*cases[0].scalar_time / cases[0].best_time, 10.0);
  EXPECT_NEAR(cases[0].dispatch_loss, 0.5, 1e-12);
  // 1 % behind the best: not the best, but within the threshold.
  EXPECT_EQ(cases[1].best_impl, "avx2_lut");
  EXPECT_TRUE(cases[1].dispatch_not_best);
  EXPECT_FALSE(cases[1].flagged);
}

TEST(ReportPeer, WholeModelPairsFromTheComparisonFile) {
  const RunData r = load_run(kData + "/peer-merged.json");
  const auto pairs = peer_pairs({&r});
  ASSERT_EQ(pairs.size(), 2u);
  for (const PeerPair& p : pairs) {
    EXPECT_EQ(p.kind, "model");
    EXPECT_EQ(p.peer, "llama.cpp");
    EXPECT_EQ(p.unit, "tokens/s");
    EXPECT_GT(p.ours, 0);
    EXPECT_GT(p.theirs, 0);
    EXPECT_NE(p.ours_name.find("threads:2"), std::string::npos);
  }
  EXPECT_EQ(count(peer_svg(pairs, "model"), "data-series=\"peer\""), 2u);
}

TEST(ReportPeer, KernelRowsPairWithOurDispatchRow) {
  const std::string c = "/M:2560/K:2560/N:1/threads:2/hot/real_time";
  const RunData r = run_of({row("gemv/tq2_0/dispatch" + c, 100, "k", {{"GOPS", 130.0}}),
                            row("gemv/tq2_0/peer.llama.cpp" + c, 200, "", {{"GOPS", 65.0}}),
                            row("gemv/tq1_0/peer.llama.cpp" + c, 200, "", {{"GOPS", 65.0}})});
  const auto pairs = peer_pairs({&r});
  ASSERT_EQ(pairs.size(), 1u);  // tq1_0 has no dispatch row of ours
  EXPECT_EQ(pairs[0].kind, "kernel");
  EXPECT_EQ(pairs[0].peer, "llama.cpp");
  EXPECT_EQ(pairs[0].unit, "GOPS");
  EXPECT_DOUBLE_EQ(pairs[0].ratio(), 2.0);
  EXPECT_TRUE(kernel_summary(r).empty());  // a peer row is not a candidate kernel
}

TEST(ReportHistory, MarksTheRegressedRunOnly) {
  const std::vector<RunData> runs = load_history(kData + "/history", "");
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_LT(runs[0].date(), runs[4].date());
  const auto charts = history_charts(runs, {});
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].metric, "tokens_per_second");
  EXPECT_EQ(charts[1].metric, "real_time");
  std::size_t marked = 0;
  for (const HistoryChart& c : charts)
    for (const HistorySeries& s : c.series) {
      EXPECT_EQ(s.points.size(), 5u) << s.name;
      for (const HistoryPoint& p : s.points) {
        const bool injected =
            s.name.starts_with("gemv/tq2_0/dispatch/") || s.name.starts_with("decode/tiny-tq2_0");
        if (p.regression) {
          ++marked;
          EXPECT_EQ(p.run, 3u) << s.name;
          EXPECT_TRUE(injected) << s.name;
          EXPECT_GT(std::fabs(p.change), 0.05);  // time up or tokens/s down
        }
      }
    }
  EXPECT_GE(marked, 6u);  // 4 gemv/tq2_0 series at 2 threads + 2 decode series
  EXPECT_EQ(count(history_svg(charts[1]), "data-regression"), 4u);
}

TEST(ReportHistory, StoreRootUsesTheMachineFolder) {
  const fs::path root = fs::temp_directory_path() / ("report-store-" + std::to_string(getpid()));
  fs::create_directories(root / "synthetic-epyc-2cpu");
  for (int i = 1; i <= 2; ++i)
    fs::copy_file(kData + "/history/run-" + std::to_string(i) + ".json",
                  root / "synthetic-epyc-2cpu" / ("run-" + std::to_string(i) + ".json"));
  EXPECT_EQ(load_history(root, "synthetic-epyc-2cpu").size(), 2u);
  EXPECT_THROW(load_history(root, "other-machine"), bitnet::diff::InputError);
  fs::remove_all(root);
}

TEST(ReportDiff, ChangedRowsFirstTheRestFoldedPerFamily) {
  const auto base = bitnet::diff::load_results(kData + "/baseline.json");
  const auto report = bitnet::diff::diff_results(base, quick().results, {});
  const DiffChart c = diff_chart(report);
  ASSERT_FALSE(c.rows.empty());
  EXPECT_EQ(c.rows.front().verdict, bitnet::diff::Verdict::kRegression);
  bool folded_seen = false;
  std::size_t folded_rows = 0;
  for (const DiffChartRow& r : c.rows) {
    if (r.folded) {
      folded_seen = true;
      folded_rows += r.folded;
      EXPECT_LE(r.ci_low, r.change);
      EXPECT_LE(r.change, r.ci_high);
    } else {
      EXPECT_FALSE(folded_seen) << "changed row after a folded one: " << r.label;
    }
  }
  EXPECT_EQ(folded_rows, report.count(bitnet::diff::Verdict::kNoChange));
  const std::string svg = diff_svg(c);
  EXPECT_GE(count(svg, "data-series=\"regression\""), 1u);
  EXPECT_GE(count(svg, "data-series=\"folded\""), 1u);
}

TEST(ReportDiff, ThousandsOfRowsStayDrawable) {
  std::vector<nlohmann::json> a, b;
  for (int i = 0; i < 3000; ++i) {
    const std::string name = "gemv/tq2_0/k" + std::to_string(i) + "/M:64/K:256/N:1/threads:1/hot";
    for (int rep = 0; rep < 5; ++rep) {
      a.push_back(row(name, 100 + rep));
      b.push_back(row(name, (i % 2 ? 200 : 100) + rep));
    }
  }
  const auto report = bitnet::diff::diff_results(run_of(a).results, run_of(b, "b").results, {});
  const DiffChart c = diff_chart(report);
  EXPECT_EQ(c.rows.size(), 301u);  // 300 changed rows drawn + 1 folded family
  EXPECT_EQ(c.not_drawn, 1200u);
  const std::string svg = diff_svg(c);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("height=\"([0-9]+)\"")));
  EXPECT_LT(std::stoi(m[1]), 32767);  // cairo's (rsvg-convert's) limit
}

TEST(ReportExports, GithubActionBenchmarkShape) {
  const auto doc = export_github({&quick()}, true);
  ASSERT_TRUE(doc.is_array());
  std::set<std::string> names;
  std::size_t tokens = 0;
  for (const auto& e : doc) {
    ASSERT_TRUE(e.contains("name") && e["name"].is_string());
    ASSERT_TRUE(e.contains("unit") && e.contains("value") && e["value"].is_number());
    EXPECT_TRUE(e["unit"] == "tokens/s" || e["unit"] == "GB/s") << e.dump();
    EXPECT_GT(e["value"].get<double>(), 0);
    EXPECT_TRUE(e["range"].get<std::string>().starts_with("± "));
    EXPECT_TRUE(names.insert(e["name"].get<std::string>()).second) << "one series per case";
    tokens += e["unit"] == "tokens/s";
  }
  EXPECT_EQ(tokens, 8u);  // 4 decode + 4 prefill rows
  const auto time = export_github({&quick()}, false);
  std::size_t measured = 0;
  for (const Row& r : quick().rows) measured += !r.errored && !r.skipped;
  EXPECT_EQ(time.size(), measured);
  for (const auto& e : time) EXPECT_EQ(e["unit"], "ns");
}

TEST(ReportExports, BencherMetricFormatShape) {
  const auto doc = export_bencher({&quick()});
  ASSERT_TRUE(doc.is_object());
  const std::regex slug("[a-z0-9]+(-[a-z0-9]+)*");
  for (const auto& [bench, measures] : doc.items()) {
    ASSERT_TRUE(measures.is_object());
    ASSERT_TRUE(measures.contains("latency")) << bench;
    for (const auto& [measure, m] : measures.items()) {
      EXPECT_TRUE(std::regex_match(measure, slug)) << measure;
      ASSERT_TRUE(m["value"].is_number());
      if (m.contains("lower_value")) {
        EXPECT_LE(m["lower_value"].get<double>(), m["value"].get<double>());
        EXPECT_GE(m["upper_value"].get<double>(), m["value"].get<double>());
      }
    }
  }
  const auto& d = doc["decode/tiny-tq2_0-f16-bitnet-s1-g1/pos:16/threads:1"];
  EXPECT_EQ(d["throughput"]["value"], d["tokens-per-second"]["value"]);
  EXPECT_TRUE(d.contains("frac-lm-head"));
  const auto& g = doc["gemv/tq2_0/dispatch/M:2560/K:2560/N:1/threads:1/hot"];
  EXPECT_DOUBLE_EQ(g["throughput"]["value"].get<double>(), g["gops"]["value"].get<double>() * 1e9);
  EXPECT_EQ(measure_slug("bytes_per_second"), "bytes-per-second");
  EXPECT_EQ(measure_slug("GOPS"), "gops");
  EXPECT_EQ(measure_slug("tokens/s"), "tokens-s");
}

TEST(ReportPage, SelfContainedWithEveryChart) {
  ReportInputs in;
  in.runs.push_back(quick());
  in.runs.push_back(load_run(kData + "/peer-merged.json"));
  in.history = load_history(kData + "/history", "");
  in.history_source = "history";
  in.diff = bitnet::diff::diff_results(bitnet::diff::load_results(kData + "/baseline.json"),
                                       quick().results, {});
  const std::string html = render_html(in);
  for (const char* chart : {"roofline", "decode-breakdown", "peer-model",
                            "history-tokens_per_second", "history-real_time", "diff"})
    EXPECT_NE(html.find(std::string("data-chart=\"") + chart + "\""), std::string::npos) << chart;
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only xmlns
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(ReportPage, OddNamesAndMissingCountersDoNotBreakIt) {
  // Names outside the suite's grammar, empty segments, non-numeric arguments, peer rows with
  // nothing after the label, counters missing or zero: every model and chart must cope.
  const RunData r = run_of(
      {row("gemv", 10), row("gemv/tq2_0", 10), row("gemv/tq2_0/peer.llama.cpp", 10),
       row("gemv/tq2_0/dispatch/M:x/K:/N:1/threads:-1/hot", 10, "k", {{"GOPS", 0.0}}),
       row("gemm//dispatch//threads:2/cold", 10, "k", {{"GOPS", 5.0}, {"bytes_per_second", 1e9}}),
       row("peer/", 10), row("peer/llama.cpp", 10, "", {{"tokens_per_second", 5.0}}),
       row("peer/llama.cpp/decode", 10, "", {{"tokens_per_second", 5.0}}),
       row("decode/m/pos:1/threads:1", 10, "", {{"tokens_per_second", 5.0}, {"frac_x", 1.0}}),
       row("prefill/m/tokens:0/threads:1", 10, "", {{"frac_norm", 0.0}}),
       row("dequant/tq2_0/scalar/f32/rows:1/K:1/threads:1", 10),
       row("probe/dram_read/threads:1", 10, "", {{"limit_bytes_per_second", 1e9}}), row("/", 10),
       row("a/b:c:d/e", 10)});
  ReportInputs in;
  in.runs.push_back(r);
  in.history = {r, r};
  in.diff = bitnet::diff::diff_results(r.results, r.results, {});
  std::string html;
  ASSERT_NO_THROW(html = render_html(in));
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_NO_THROW(export_github({&r}, true));
  EXPECT_NO_THROW(export_bencher({&r}));
}

TEST(DiffArrange, EffectOrderAndChangedOnly) {
  using bitnet::diff::Verdict;
  bitnet::diff::DiffReport r;
  auto add = [&](const std::string& name, Verdict v, double change) {
    bitnet::diff::BenchmarkDiff d;
    d.name = name;
    d.verdict = v;
    d.change = change;
    r.rows.push_back(d);
  };
  add("a", Verdict::kNoChange, 0.01);
  add("b", Verdict::kImprovement, -0.5);
  add("c", Verdict::kRegression, 0.1);
  add("d", Verdict::kRegression, 0.3);
  add("e", Verdict::kSkipped, 0);
  auto names = [](const std::vector<const bitnet::diff::BenchmarkDiff*>& v) {
    std::string s;
    for (auto* d : v) s += d->name;
    return s;
  };
  EXPECT_EQ(names(bitnet::diff::arrange(r, {})), "abcde");
  EXPECT_EQ(names(bitnet::diff::arrange(r, {bitnet::diff::RowOrder::kEffect, false})), "dcbae");
  EXPECT_EQ(names(bitnet::diff::arrange(r, {bitnet::diff::RowOrder::kEffect, true})), "dcb");
  EXPECT_DOUBLE_EQ(bitnet::diff::effect_size(r.rows[1]), std::log(2.0));
}

}  // namespace
