// bitnet-compare kernels: ours vs peer per case from one result file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "bitnet/compare/kernel_table.h"

namespace bitnet::compare {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json row(const std::string& run_name, double real_time, const std::string& unit = "ns",
         const std::string& aggregate = "") {
  json b = {{"name", run_name + (aggregate.empty() ? "" : "_" + aggregate)},
            {"run_name", run_name},
            {"run_type", aggregate.empty() ? "iteration" : "aggregate"},
            {"real_time", real_time},
            {"cpu_time", real_time},
            {"time_unit", unit}};
  if (!aggregate.empty()) b["aggregate_name"] = aggregate;
  return b;
}

const std::string kCase = "/M:6912/K:2560/N:1/threads:2/cold/real_time";

TEST(KernelTable, BestOfOursDispatchPeerAndRatios) {
  json doc = {{"benchmarks", json::array()}};
  auto& b = doc["benchmarks"];
  // Repetitions: the median of the iteration rows when no aggregate is present.
  for (double t : {200.0, 180.0, 190.0}) b.push_back(row("gemv/tq2_0/dispatch" + kCase, t, "us"));
  for (double t : {150.0, 170.0, 160.0}) b.push_back(row("gemv/tq2_0/avx512vnni" + kCase, t, "us"));
  b.push_back(row("gemv/tq2_0/avx2" + kCase, 400.0, "us"));
  // A median aggregate wins over the iteration rows.
  b.push_back(row("gemv/tq2_0/peer.llama.cpp" + kCase, 999.0, "us"));
  b.push_back(row("gemv/tq2_0/peer.llama.cpp" + kCase, 480.0, "us", "median"));
  b.push_back(row("gemv/tq2_0/peer.llama.cpp" + kCase, 700.0, "us", "mean"));
  // A case without a peer row is not listed.
  b.push_back(row("gemv/tq1_0/dispatch" + kCase, 100.0, "us"));
  b.push_back(row("probe/dram_read/threads:1", 1.0));
  const auto rows = kernel_table(doc);
  ASSERT_EQ(rows.size(), 1u);
  const KernelTableRow& r = rows[0];
  EXPECT_EQ(r.name_case, "gemv/tq2_0/M:6912/K:2560/N:1/threads:2/cold");
  EXPECT_EQ(r.best_ours.impl, "avx512vnni");
  EXPECT_DOUBLE_EQ(*r.best_ours.median_ns, 160e3);
  EXPECT_DOUBLE_EQ(*r.dispatch.median_ns, 190e3);
  EXPECT_EQ(r.peer.impl, "peer.llama.cpp");
  EXPECT_DOUBLE_EQ(*r.peer.median_ns, 480e3);
  EXPECT_DOUBLE_EQ(*r.peer_over_best, 3.0);
  EXPECT_NEAR(*r.peer_over_dispatch, 480.0 / 190.0, 1e-12);
  const std::string text = format_kernel_table(rows);
  EXPECT_THAT(text,
              HasSubstr("| gemv/tq2_0/M:6912/K:2560/N:1/threads:2/cold | avx512vnni | 160.0 | "
                        "190.0 | peer.llama.cpp | 480.0 | 3.00x | 2.53x |"));
}

TEST(KernelTable, PeerErrorRowsShowTheErrorNotATime) {
  json doc = {{"benchmarks", json::array()}};
  doc["benchmarks"].push_back(row("gemv/i2_s/dispatch" + kCase, 100.0));
  json e = row("gemv/i2_s/peer.bitnet.cpp" + kCase, 0.0);
  e["error_occurred"] = true;
  e["error_message"] = "integer dot of I2_S: row 0";
  doc["benchmarks"].push_back(e);
  const auto rows = kernel_table(doc);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].peer.median_ns);
  EXPECT_FALSE(rows[0].peer_over_best);
  const std::string text = format_kernel_table(rows);
  EXPECT_THAT(text, HasSubstr("| peer.bitnet.cpp | error | - | - |"));
  EXPECT_THAT(text, HasSubstr("error: gemv/i2_s/M:6912/K:2560/N:1/threads:2/cold peer.bitnet.cpp: "
                              "integer dot of I2_S: row 0"));
}

TEST(KernelTable, NotAResultFileIsAnError) {
  EXPECT_THROW(kernel_table(json::object()), std::runtime_error);
  EXPECT_THAT(format_kernel_table({}), HasSubstr("--bitnet_peer"));
}

}  // namespace
}  // namespace bitnet::compare
