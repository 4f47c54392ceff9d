// The engine against llama.cpp (and bitnet.cpp for I2_S) on the golden tiny models: logits of
// every prompt position and of the teacher-forced greedy steps, and the free-running greedy
// continuation. Like is compared with like (F32 vs F32 logits, TQ vs TQ, I2_S vs bitnet.cpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/model_view.h"
#include "test_decode_util.h"

namespace bitnet {
namespace {

using model::Engine;
using model::EngineOptions;
using model::Model;
using testutil::Golden;

struct Case {
  const char* name;
  const char* model;   // file in tests/data ("" = F32 built from the TQ2_0 file)
  const char* golden;  // file in tests/data/decode
  double min_cos;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class GoldenTest : public ::testing::TestWithParam<Case> {
 protected:
  static std::string model_path(const Case& c) {
    if (c.model[0] != '\0') return testutil::data_path(c.model);
    const std::string p = testutil::temp_path("A-F32.gguf");
    testutil::write_f32_copy(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf"), p);
    return p;
  }
};

// Checks one logits row against llama.cpp's: cosine, and the top-1 token where llama.cpp's
// top-1/top-2 margin exceeds 1e-3.
void check_row(const std::string& what, std::span<const float> ours, const std::vector<float>& ref,
               float margin, double min_cos, double* worst) {
  ASSERT_EQ(ours.size(), ref.size()) << what;
  const double c = testutil::cosine(ours, ref);
  *worst = std::min(*worst, c);
  EXPECT_GE(c, min_cos) << what;
  if (margin > 1e-3f) {
    EXPECT_EQ(Engine::argmax(ours), Engine::argmax(ref))
        << what << " (llama.cpp margin " << margin << ")";
  }
}

TEST_P(GoldenTest, TeacherForcedLogitsMatch) {
  const Case& c = GetParam();
  const Golden g = testutil::load_golden(testutil::data_path(std::string("decode/") + c.golden));
  const Model m = Model::from_view(bitnet::fixtures::model_view(model_path(c)));
  for (int threads : {1, 2}) {
    Engine e(m, EngineOptions{.n_threads = threads, .n_ctx = 256});
    double worst = 1.0;
    std::vector<float> all;
    e.forward(g.tokens, &all);  // one batch, as llama_logits did
    const size_t V = static_cast<size_t>(e.n_vocab());
    for (size_t i = 0; i < g.tokens.size(); ++i)
      check_row("prompt row " + std::to_string(i), {all.data() + i * V, V}, g.logits[i],
                g.margin[i], c.min_cos, &worst);
    EXPECT_EQ(Engine::argmax({all.data() + (g.tokens.size() - 1) * V, V}), g.greedy[0]);
    for (size_t k = 0; k + 1 < g.greedy.size(); ++k) {
      const auto logits = e.forward(g.greedy[k]);
      check_row("greedy step " + std::to_string(k + 1), logits, g.greedy_logits[k],
                g.greedy_margin[k + 1], c.min_cos, &worst);
      if (g.greedy_margin[k + 1] > 1e-3f) {
        EXPECT_EQ(Engine::argmax(logits), g.greedy[k + 1]) << "greedy step " << k + 1;
      }
    }
    std::printf("[%s] threads=%d worst per-row cosine vs reference logits: %.8f\n", c.name, threads,
                worst);
  }
}

TEST_P(GoldenTest, FreeRunningGreedyMatches) {
  const Case& c = GetParam();
  const Golden g = testutil::load_golden(testutil::data_path(std::string("decode/") + c.golden));
  const Model m = Model::from_view(bitnet::fixtures::model_view(model_path(c)));
  Engine e(m, EngineOptions{.n_threads = 2, .n_ctx = 256});
  auto logits = e.forward(g.tokens);
  std::vector<int32_t> out;
  for (size_t k = 0; k < g.greedy.size(); ++k) {
    out.push_back(Engine::argmax(logits));
    if (k + 1 < g.greedy.size()) logits = e.forward(out.back());
  }
  // The whole continuation must match up to the first step where the reference's own top-1/top-2
  // margin is below 1e-3 (none in the llama.cpp files; bitnet.cpp's I2_S run has a 0.00036 tie at
  // step 12, after which the sequences may legitimately differ).
  size_t n_check = 0;
  while (n_check < g.greedy.size() && g.greedy_margin[n_check] > 1e-3f) ++n_check;
  if (std::string(c.name) != "I2_S") {
    EXPECT_EQ(n_check, g.greedy.size());
  }
  EXPECT_GE(n_check, 12u);
  EXPECT_EQ(std::vector<int32_t>(out.begin(), out.begin() + n_check),
            std::vector<int32_t>(g.greedy.begin(), g.greedy.begin() + n_check));
}

INSTANTIATE_TEST_SUITE_P(TinyA, GoldenTest,
                         ::testing::Values(Case{"F32", "", "logits-tiny-bitnet-A-F32.json", 0.9999},
                                           Case{"TQ2_0", "tiny-bitnet-A-TQ2_0.gguf",
                                                "logits-tiny-bitnet-A-TQ2_0.json", 0.999},
                                           Case{"TQ1_0", "tiny-bitnet-A-TQ1_0.gguf",
                                                "logits-tiny-bitnet-A-TQ1_0.json", 0.999},
                                           Case{"TQ2_0_Q6K", "tiny-bitnet-A-TQ2_0-default.gguf",
                                                "logits-tiny-bitnet-A-TQ2_0-default.json", 0.999},
                                           Case{"I2_S", "tiny-bitnet-A-I2_S.gguf",
                                                "logits-tiny-bitnet-A-I2_S-bitnetcpp.json", 0.999}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bitnet
