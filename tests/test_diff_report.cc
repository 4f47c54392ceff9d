// The four renderings of a bench-diff report carry the verdicts and numbers of the comparison.
#include <gtest/gtest.h>

#include "bitnet/diff/report.h"
#include "bitnet/diff/verdicts.h"
#include "bitnet/results/results.h"

namespace bitnet::diff {
namespace {

const std::string kData = std::string(BITNET_TEST_DATA_DIR) + "/diff/";

DiffReport regression_report() {
  return diff_results(load_results(kData + "baseline.json"),
                      load_results(kData + "regression.json"), {});
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(DiffReport, FormatsValuesWithUnits) {
  EXPECT_EQ(format_value(1500, "real_time"), "1.5 us");
  EXPECT_EQ(format_value(2.5e6, "cpu_time"), "2.5 ms");
  EXPECT_EQ(format_value(12.5, "tokens/s"), "12.5");
  EXPECT_EQ(format_value(3.2e9, "bytes_per_second"), "3.2G");
  EXPECT_EQ(format_percent(0.123), "+12.3%");
  EXPECT_EQ(format_percent(-0.05), "-5.0%");
}

TEST(DiffReport, TerminalTableHasEveryRowAndVerdict) {
  const DiffReport r = regression_report();
  const std::string plain = render_terminal(r, false);
  EXPECT_NE(plain.find("gemv/tq2_0/2560x2560"), std::string::npos);
  EXPECT_NE(plain.find("regression"), std::string::npos);
  EXPECT_NE(plain.find("+20."), std::string::npos);
  EXPECT_NE(plain.find("FAIL: 1 regression, 2 no change"), std::string::npos);
  EXPECT_EQ(plain.find("\033["), std::string::npos);
  const std::string color = render_terminal(r, true);
  EXPECT_NE(color.find("\033[1;31m"), std::string::npos);  // regression in red
}

TEST(DiffReport, MarkdownPutsRegressionsFirstAndFoldsTheRest) {
  const std::string md = render_markdown(regression_report());
  EXPECT_EQ(md.rfind("### bench-diff: FAIL", 0), 0u);
  const std::size_t reg = md.find("**regression**");
  const std::size_t details = md.find("<details>");
  ASSERT_NE(reg, std::string::npos);
  ASSERT_NE(details, std::string::npos);
  EXPECT_LT(reg, details);
  EXPECT_NE(md.find("2 other benchmark(s)"), std::string::npos);
  EXPECT_NE(md.find("| **overall** |"), std::string::npos);
  EXPECT_NE(md.find("gemv/tq2\\_0/2560x2560"), std::string::npos);  // Markdown-escaped
}

TEST(DiffReport, JsonCarriesNumbersAndFlaggedNames) {
  const auto j = render_json(regression_report());
  EXPECT_EQ(j["result"], "fail");
  ASSERT_EQ(j["regressions"].size(), 1u);
  EXPECT_EQ(j["regressions"][0], "gemv/tq2_0/2560x2560");
  EXPECT_EQ(j["counts"]["regression"], 1);
  EXPECT_EQ(j["counts"]["no change"], 2);
  const auto& g = j["benchmarks"][0];
  EXPECT_EQ(g["verdict"], "regression");
  EXPECT_EQ(g["u_test_method"], "exact");
  EXPECT_NEAR(g["change"].get<double>(), 0.2, 0.02);
  EXPECT_EQ(g["ci"].size(), 2u);
  // Aggregates paired by name, in the metric's unit (ns for times).
  EXPECT_NEAR(g["aggregates"]["baseline"]["median"].get<double>(), 100.3e3, 1e-6);
  EXPECT_GT(g["aggregates"]["contender"]["median"].get<double>(), 115e3);
  EXPECT_TRUE(g["aggregates"]["baseline"].contains("cv"));
  EXPECT_EQ(j["families"].size(), 3u);
  EXPECT_EQ(j["overall"]["compared"], 3);
}

TEST(DiffReport, JsonWritesNullForNonFiniteChange) {
  DiffReport r;
  BenchmarkDiff d;
  d.name = "zero";
  d.n_baseline = d.n_contender = 1;
  d.change = INFINITY;
  r.rows.push_back(d);
  EXPECT_TRUE(render_json(r)["benchmarks"][0]["change"].is_null());
}

TEST(DiffReport, SvgHasOnePointAndBarPerComparedBenchmark) {
  const DiffReport r = diff_results(load_results(kData + "baseline.json"),
                                    load_results(kData + "changed_rows.json"), {});
  const std::string svg = render_svg(r);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(occurrences(svg, "<circle"), 1u);  // only decode could be compared
  const std::string reg = render_svg(regression_report());
  EXPECT_EQ(occurrences(reg, "<circle"), 3u);
  EXPECT_EQ(occurrences(reg, "stroke-width=\"3\""), 3u);  // confidence bars
  EXPECT_NE(reg.find("#d62728"), std::string::npos);      // regression colour
}

TEST(DiffReport, JunitMarksRegressionsAndErrorsAsFailures) {
  const std::string x = render_junit(diff_results(load_results(kData + "baseline.json"),
                                                  load_results(kData + "changed_rows.json"), {}));
  // The errored gemv row and the removed dequant row.
  EXPECT_NE(x.find("tests=\"5\" failures=\"2\" skipped=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<failure message=\"real_time: removed\""), std::string::npos) << x;
  EXPECT_NE(x.find("<failure message=\"real_time: errored, contender: output mismatch"),
            std::string::npos);
  EXPECT_EQ(occurrences(render_junit(regression_report()), "<failure"), 1u);
}

TEST(DiffReport, MetricsAreOpenMetricsLines) {
  const std::string m = render_metrics(regression_report());
  EXPECT_NE(m.find("bench_diff_change{benchmark=\"gemv/tq2_0/2560x2560\",metric=\"real_time\","
                   "verdict=\"regression\"} 0.2"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("bench_diff_regressions 1\n"), std::string::npos);
  EXPECT_NE(m.find("bench_diff_geomean_ratio{family=\"overall\"}"), std::string::npos);
}

}  // namespace
}  // namespace bitnet::diff
