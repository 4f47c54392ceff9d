// The benchmark naming grammar (bench/naming.h): what the suite emits parses, and what does not
// follow a family's grammar is rejected with a reason.
#include <gtest/gtest.h>

#include "bitnet/bench/shapes.h"
#include "bitnet/results/naming.h"

namespace bitnet::bench {
namespace {

TEST(BenchNaming, ParsesTheIssueExample) {
  ParsedName p = parse_case_name("gemv/tq2_0/avx512vnni/M:6912/K:2560/N:1/threads:2/cold");
  ASSERT_TRUE(p.name) << p.error;
  EXPECT_EQ(p.name->family, "gemv");
  EXPECT_EQ(p.name->labels, (std::vector<std::string>{"tq2_0", "avx512vnni"}));
  EXPECT_EQ(p.name->int_arg("M"), 6912);
  EXPECT_EQ(p.name->int_arg("K"), 2560);
  EXPECT_EQ(p.name->int_arg("threads"), 2);
  EXPECT_EQ(p.name->residency, "cold");
  EXPECT_EQ(p.name->time_type, "");
}

TEST(BenchNaming, StripsTimeTypeAndAggregate) {
  ParsedName p =
      parse_case_name("gemm/i2_s/avx2.2x4/M:640/K:2560/N:32/threads:1/hot/real_time_median");
  ASSERT_TRUE(p.name) << p.error;
  EXPECT_EQ(p.name->time_type, "real_time");
  EXPECT_EQ(p.name->aggregate, "median");
  EXPECT_EQ(p.name->labels[1], "avx2.2x4");
  EXPECT_EQ(p.name->str(), "gemm/i2_s/avx2.2x4/M:640/K:2560/N:32/threads:1/hot");
}

TEST(BenchNaming, EveryFamilyRoundTrips) {
  for (const char* n : {"dequant/tq1_0/dispatch/f16/rows:1/K:2560/threads:1",
                        "quant_act/q8_k/scalar/N:128/K:6912/threads:1",
                        "decode/2b4t-tq2_0-f16-bitnet-s1-g1/pos:2048/threads:2",
                        "prefill/tiny-i2_s/tokens:128/threads:1", "probe/dram_read/threads:1",
                        "probe/int8_peak/avx2/threads:2"}) {
    ParsedName p = parse_case_name(std::string(n) + "/real_time");
    ASSERT_TRUE(p.name) << p.error;
    EXPECT_EQ(p.name->str(), n);
  }
}

TEST(BenchNaming, RejectsWithAReason) {
  struct Bad {
    const char* name;
    const char* why;
  };
  for (Bad b : {Bad{"gemx/tq2_0/avx2/M:1/K:256/N:1/threads:1/hot", "unknown family"},
                Bad{"gemv/tq2_0/avx2/M:1/K:256/N:1/threads:1", "missing hot|cold"},
                Bad{"gemv/tq2_0/avx2/M:1/K:256/N:8/threads:1/hot", "gemv needs N:1"},
                Bad{"gemm/tq2_0/avx2/M:1/K:256/N:1/threads:1/hot", "gemm needs N > 1"},
                Bad{"gemv/tq2_0/avx2/K:256/M:1/N:1/threads:1/hot", "expected argument M"},
                Bad{"gemv/tq2_0/avx2/M:x/K:256/N:1/threads:1/hot", "not a non-negative integer"},
                Bad{"gemv/TQ2_0/avx2/M:1/K:256/N:1/threads:1/hot", "is not [a-z0-9_.-]+"},
                Bad{"decode/m/pos:1/threads:0", "threads:0"},
                Bad{"decode/m/pos:1/threads:1/extra", "unexpected segment"},
                Bad{"probe/threads:1", "labels"}}) {
    ParsedName p = parse_case_name(b.name);
    EXPECT_FALSE(p.name) << b.name;
    EXPECT_NE(p.error.find(b.why), std::string::npos) << b.name << ": " << p.error;
  }
}

TEST(BenchNaming, SanitizeLabel) {
  EXPECT_EQ(sanitize_label("ggml-model-I2_S.gguf"), "ggml-model-i2_s.gguf");
  EXPECT_EQ(sanitize_label("a b/c:d"), "a_b_c_d");
}

TEST(BenchShapes, TwoB4TShapesAreTheRealOnes) {
  std::vector<std::pair<int64_t, int64_t>> got;
  for (const MatShape& s : mat_shapes(model_dims().front())) got.emplace_back(s.M, s.K);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, int64_t>>{
                     {2560, 2560}, {640, 2560}, {6912, 2560}, {2560, 6912}}));
}

TEST(BenchShapes, AllModelsAndNoDuplicates) {
  auto all = all_mat_shapes();
  // 2B4T 4 + 0.7B 3 (no GQA) + 3B 3 + 8B 4.
  EXPECT_EQ(all.size(), 14u);
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      EXPECT_FALSE(all[i].M == all[j].M && all[i].K == all[j].K);
  EXPECT_EQ(model_dims().back().kv_dim(), 1024);
}

}  // namespace
}  // namespace bitnet::bench
