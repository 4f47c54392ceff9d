// 2B4T-shape smoke test (label slow): the exact bitnet-b1.58-2B-4T tensor shapes (hidden 2560,
// 20/5 heads, FFN 6912, vocab 128256, F16 embedding) with 2 instead of 30 layers, random ternary
// TQ2_0 weights. Finite hidden states at every layer and finite logits for 64 tokens (48 prefilled
// in one batch, 16 decoded); the same greedy tokens with 1 and 2 threads. (The full 30-layer model
// is benchmarked, not unit-tested.)
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/formats/blocks.h"
#include "bitnet/gguf/gguf.h"
#include "test_decode_util.h"

namespace bitnet {
namespace {

constexpr int64_t kEmbd = 2560, kFf = 6912, kHeads = 20, kKvHeads = 5, kVocab = 128256, kLayers = 2;

// Random TQ2_0 rows: codes uniform in {0,1,2}, block scale 1/sqrt(K) so activations stay O(1).
std::vector<uint8_t> random_tq2_0(int64_t rows, int64_t cols, std::mt19937_64& rng) {
  std::vector<uint8_t> out(static_cast<size_t>(rows * cols / kQK_K) * sizeof(block_tq2_0));
  const fp16_t d = fp32_to_fp16(1.0f / std::sqrt(static_cast<float>(cols)));
  auto* b = reinterpret_cast<block_tq2_0*>(out.data());
  for (int64_t i = 0; i < rows * cols / kQK_K; ++i) {
    for (auto& q : b[i].qs) {
      uint8_t v = 0;
      for (int n = 0; n < 4; ++n) v |= static_cast<uint8_t>((rng() % 3) << (2 * n));
      q = v;
    }
    b[i].d = d;
  }
  return out;
}

std::string write_model() {
  const std::string path = testutil::temp_path("2b4t-2layer.gguf");
  std::mt19937_64 rng(2024);
  gguf::Writer w(path);
  w.set_string("general.architecture", "bitnet-b1.58");
  w.set_u32("bitnet-b1.58.block_count", kLayers);
  w.set_u32("bitnet-b1.58.embedding_length", kEmbd);
  w.set_u32("bitnet-b1.58.feed_forward_length", kFf);
  w.set_u32("bitnet-b1.58.attention.head_count", kHeads);
  w.set_u32("bitnet-b1.58.attention.head_count_kv", kKvHeads);
  w.set_u32("bitnet-b1.58.context_length", 4096);
  w.set_u32("bitnet-b1.58.rope.dimension_count", kEmbd / kHeads);
  w.set_f32("bitnet-b1.58.rope.freq_base", 500000.0f);
  w.set_f32("bitnet-b1.58.attention.layer_norm_rms_epsilon", 1e-5f);
  const uint32_t kF32 = 0, kF16 = 1, kTQ2 = 35;
  const int64_t kv = kEmbd / kHeads * kKvHeads;
  w.add_tensor("token_embd.weight", kF16, {kEmbd, kVocab});
  w.add_tensor("output_norm.weight", kF32, {kEmbd});
  struct Proj {
    const char* name;
    int64_t in, out;
  };
  const Proj projs[] = {{"attn_q", kEmbd, kEmbd}, {"attn_k", kEmbd, kv},
                        {"attn_v", kEmbd, kv},    {"attn_output", kEmbd, kEmbd},
                        {"ffn_gate", kEmbd, kFf}, {"ffn_up", kEmbd, kFf},
                        {"ffn_down", kFf, kEmbd}};
  const std::pair<const char*, int64_t> norms[] = {
      {"attn_norm", kEmbd}, {"attn_sub_norm", kEmbd}, {"ffn_norm", kEmbd}, {"ffn_sub_norm", kFf}};
  for (int l = 0; l < kLayers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    for (const auto& [n, len] : norms) w.add_tensor(b + n + ".weight", kF32, {len});
    for (const auto& p : projs) w.add_tensor(b + p.name + ".weight", kTQ2, {p.in, p.out});
  }
  w.begin_data();
  auto write_floats = [&](const std::vector<float>& v) {
    w.write({reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)});
  };
  // 328 M embedding values: draw them from a table of 4096 normal samples (fast, still varied).
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<fp16_t> table(4096);
  for (auto& h : table) h = fp32_to_fp16(normal(rng));
  std::vector<fp16_t> row(kEmbd);
  for (int64_t r = 0; r < kVocab; ++r) {
    for (size_t i = 0; i < row.size(); i += 4) {
      const uint64_t bits = rng();
      for (size_t j = 0; j < 4; ++j) row[i + j] = table[(bits >> (12 * j)) & 4095];
    }
    w.write({reinterpret_cast<const uint8_t*>(row.data()), row.size() * sizeof(fp16_t)});
  }
  std::uniform_real_distribution<float> uni(0.75f, 1.25f);
  auto norm_vec = [&](int64_t n) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = uni(rng);
    return v;
  };
  write_floats(norm_vec(kEmbd));
  for (int l = 0; l < kLayers; ++l) {
    for (const auto& [n, len] : norms) write_floats(norm_vec(len));
    for (const auto& p : projs) w.write(random_tq2_0(p.out, p.in, rng));
  }
  w.finish();
  return path;
}

std::vector<int32_t> generate(const model::Model& m, int threads, int64_t* layers_checked) {
  model::EngineOptions o{.n_threads = threads, .n_ctx = 128};
  o.on_layer = [&](int64_t layer, std::span<const float> x) {
    for (float v : x) ASSERT_TRUE(std::isfinite(v)) << "layer " << layer;
    ++*layers_checked;
  };
  model::Engine e(m, o);
  // 48 prompt tokens in one batch (GEMM path, logits for every row), then 16 decodes: 64 positions.
  std::vector<int32_t> prompt;
  for (int32_t i = 0; i < 48; ++i) prompt.push_back((1 + i * 7919) % kVocab);
  std::vector<float> all;
  e.forward(prompt, &all);
  for (float v : all) EXPECT_TRUE(std::isfinite(v));
  std::vector<int32_t> out;
  auto logits = std::span<const float>(all).last(static_cast<size_t>(e.n_vocab()));
  while (e.n_past() < 64) {
    out.push_back(model::Engine::argmax(logits));
    logits = e.forward(out.back());
    for (float v : logits) EXPECT_TRUE(std::isfinite(v));
  }
  return out;
}

TEST(Decode2b4tShape, FiniteAndThreadIndependent) {
  const std::string path = write_model();
  {
    const model::Model m = model::Model::from_view(bitnet::fixtures::model_view(path));
    EXPECT_EQ(m.hparams().ffn_act, model::FfnAct::kReluSquared);
    int64_t checked = 0;
    const auto t1 = generate(m, 1, &checked);
    const auto t2 = generate(m, 2, &checked);
    EXPECT_EQ(checked, 2 * kLayers * (1 + 16));  // one prefill batch + 16 decodes, per run
    EXPECT_EQ(t1, t2);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace bitnet
