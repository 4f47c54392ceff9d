// The engine against the naive double-precision reference (test_decode_ref.h) on the tiny
// models in every format, plus the engine's own invariants: same logits for any thread count,
// batched prefill == token-by-token decode, reset, and context limits.
#include <gtest/gtest.h>

#include <cstdio>

#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/gguf/gguf.h"
#include "test_decode_ref.h"
#include "test_decode_util.h"

namespace bitnet {
namespace {

using model::Engine;
using model::EngineOptions;
using model::KvType;
using model::Model;

const std::vector<int32_t> kTokens = {1, 17, 42, 99, 3, 250, 7, 128, 64, 5, 484, 409, 182, 235};

std::string model_file(const std::string& fmt) {
  if (fmt == "F32") {
    const std::string p = testutil::temp_path("A-F32.gguf");
    testutil::write_f32_copy(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf"), p);
    return p;
  }
  if (fmt == "Q6K_EMBD") return testutil::data_path("tiny-bitnet-A-TQ2_0-default.gguf");
  if (fmt == "Q8_0_EMBD") {  // TQ1_0 projections + a Q8_0 token_embd made here
    const std::string p = testutil::temp_path("A-TQ1_0-q8_0.gguf");
    testutil::write_q8_0_embd_copy(testutil::data_path("tiny-bitnet-A-TQ1_0.gguf"), p);
    return p;
  }
  return testutil::data_path("tiny-bitnet-A-" + fmt + ".gguf");
}

class EngineVsReference : public ::testing::TestWithParam<std::string> {};

// With the reference rounding at the same points as the engine (activation quantization, f16
// KV cache), the two differ only by f32 vs double arithmetic: the logits agree to ~1e-5.
TEST_P(EngineVsReference, EmulatedRoundingAgreesClosely) {
  const std::string path = model_file(GetParam());
  const Model m = Model::from_view(bitnet::fixtures::model_view(path));
  const testref::RefModel ref(gguf::File::open(path));
  const bool i2s = GetParam() == "I2_S";  // the engine follows bitnet.cpp's attention numerics
  const auto want =
      ref.forward(kTokens, {.emulate_acts = true, .f16_kv = true, .f16_softmax_weights = !i2s});
  Engine e(m, EngineOptions{.n_threads = 2, .n_ctx = 64});
  std::vector<float> got;
  e.forward(kTokens, &got);
  const size_t V = static_cast<size_t>(e.n_vocab());
  double worst_cos = 1.0, worst_abs = 0.0;
  for (size_t i = 0; i < kTokens.size(); ++i) {
    std::span<const float> row(got.data() + i * V, V);
    worst_cos = std::min(worst_cos, testutil::cosine(row, want[i]));
    worst_abs = std::max(worst_abs, testutil::max_abs_diff(row, want[i]));
  }
  std::printf("[%s] engine vs emulating reference: worst cos %.9f, max |diff| %.3g\n",
              GetParam().c_str(), worst_cos, worst_abs);
  // Known gap (docs/decode.md): with the Q6_K embedding the reference leaves the engine (which
  // matches llama.cpp's prompt logits to cos 1 - 1e-7) from position 7 on by ~0.03. Not the Q6_K
  // dequantization (computing it in float exactly as ggml changed nothing); consistent with one
  // Q8_K activation of the double-precision reference rounding to the neighbouring integer.
  const bool q6k = GetParam() == "Q6K_EMBD";
  EXPECT_GE(worst_cos, q6k ? 0.9998 : 0.99999);
  EXPECT_LT(worst_abs, q6k ? 0.05 : 0.01);
}

// Against exact math (no activation rounding, f32 cache): the quantization error of each
// format's activation path is what separates them.
TEST_P(EngineVsReference, ExactMathWithinQuantizationError) {
  const std::string path = model_file(GetParam());
  const Model m = Model::from_view(bitnet::fixtures::model_view(path));
  const testref::RefModel ref(gguf::File::open(path));
  const auto want = ref.forward(kTokens, {});
  Engine e(m, EngineOptions{.n_threads = 1, .n_ctx = 64, .kv_type = KvType::kF32});
  std::vector<float> got;
  e.forward(kTokens, &got);
  const size_t V = static_cast<size_t>(e.n_vocab());
  double worst = 1.0;
  for (size_t i = 0; i < kTokens.size(); ++i)
    worst = std::min(worst, testutil::cosine({got.data() + i * V, V}, want[i]));
  std::printf("[%s] engine (f32 KV) vs exact reference: worst cos %.9f\n", GetParam().c_str(),
              worst);
  // F32 weights see unrounded activations: f32 vs double only.
  EXPECT_GE(worst, GetParam() == "F32" ? 0.9999999 : 0.999);
}

INSTANTIATE_TEST_SUITE_P(TinyA, EngineVsReference,
                         ::testing::Values("F32", "TQ2_0", "TQ1_0", "Q6K_EMBD", "I2_S",
                                           "Q8_0_EMBD"));

TEST(Engine, SameLogitsForAnyThreadCountAndBatching) {
  const Model m = Model::from_view(bitnet::fixtures::model_view(model_file("TQ2_0")));
  std::vector<float> ref;
  {
    Engine e(m, EngineOptions{.n_threads = 1, .n_ctx = 32});
    e.forward(kTokens, &ref);
  }
  const size_t V = static_cast<size_t>(m.hparams().n_vocab);
  for (int threads : {1, 2, 3}) {
    for (int64_t batch : {1, 3, 64}) {
      Engine e(m, EngineOptions{.n_threads = threads, .n_ctx = 32, .n_batch = batch});
      std::vector<float> got;
      e.forward(kTokens, &got);
      EXPECT_EQ(got, ref) << "threads " << threads << " batch " << batch;
      // Token by token (GEMV path) gives the same bits as the batched GEMM path.
      e.reset();
      for (size_t i = 0; i < kTokens.size(); ++i) {
        const auto row = e.forward(kTokens[i]);
        ASSERT_TRUE(std::equal(row.begin(), row.end(), ref.begin() + i * V))
            << "threads " << threads << " position " << i;
      }
    }
  }
}

TEST(Engine, ResetStartsOver) {
  const Model m = Model::from_view(bitnet::fixtures::model_view(model_file("I2_S")));
  Engine e(m, EngineOptions{.n_threads = 2, .n_ctx = 32});
  const auto first5 = std::span(kTokens).first(5);
  std::vector<float> a, b, c;
  e.forward(first5, &a);
  e.forward(first5, &b);  // continues at positions 5..9: different logits
  EXPECT_EQ(e.n_past(), 10);
  EXPECT_NE(a, b);
  e.reset();
  EXPECT_EQ(e.n_past(), 0);
  e.forward(first5, &c);
  EXPECT_EQ(a, c);
}

TEST(Engine, ExplicitPositionRewinds) {
  const Model m = Model::from_view(bitnet::fixtures::model_view(model_file("TQ1_0")));
  Engine e(m, EngineOptions{.n_threads = 2, .n_ctx = 32});
  std::vector<float> ref;
  e.forward(std::span(kTokens).first(6), &ref);
  const size_t V = static_cast<size_t>(e.n_vocab());
  // Overwrite positions 3..5 with other tokens, then rewind and replay the originals.
  e.forward(7, 3);
  e.forward(8, 4);
  EXPECT_EQ(e.n_past(), 5);
  for (int64_t p = 3; p < 6; ++p) {
    const auto row = e.forward(kTokens[p], p);
    EXPECT_TRUE(std::equal(row.begin(), row.end(), ref.begin() + p * V)) << "position " << p;
  }
  EXPECT_THROW(e.forward(1, 7), std::out_of_range);
  EXPECT_THROW(e.forward(1, -1), std::out_of_range);
}

TEST(Engine, RejectsFullContextAndBadTokens) {
  const Model m = Model::from_view(bitnet::fixtures::model_view(model_file("TQ2_0")));
  Engine e(m, EngineOptions{.n_threads = 1, .n_ctx = 4});
  EXPECT_THROW(e.forward(std::span(kTokens).first(5)), std::runtime_error);
  EXPECT_EQ(e.n_past(), 0);
  e.forward(std::span(kTokens).first(4));
  EXPECT_THROW(e.forward(7), std::runtime_error);
  e.reset();
  EXPECT_THROW(e.forward(512), std::out_of_range);
  EXPECT_THROW(e.forward(-1), std::out_of_range);
  EXPECT_THROW(Engine(m, EngineOptions{.n_threads = 0}), std::invalid_argument);
}

TEST(Engine, ArgmaxTiesGoToLowestId) {
  const std::vector<float> v = {0.5f, 2.0f, -1.0f, 2.0f};
  EXPECT_EQ(Engine::argmax(v), 1);
}

}  // namespace
}  // namespace bitnet
