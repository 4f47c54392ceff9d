// The peer-float-order pieces on their own: the TQ2_0 / TQ1_0 dots in llama.cpp's x86 lane order,
// ggml's SiLU, and the engine option that selects the exact paths (results independent of the
// thread count).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "../kernels/model/ggml_expf.h"
#include "../kernels/model/tq_dot_ggml_x86.h"
#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/formats/quantize.h"
#include "test_decode_util.h"

namespace bitnet {
namespace {

struct Blocks {
  std::vector<block_tq2_0> w;
  std::vector<block_q8_K> x;
};

// Random ternary weights and Q8_K activations (bsums consistent with qs), nb blocks.
Blocks random_blocks(int64_t nb, uint32_t seed) {
  std::mt19937 rng(seed);
  Blocks b{std::vector<block_tq2_0>(nb), std::vector<block_q8_K>(nb)};
  for (int64_t i = 0; i < nb; ++i) {
    for (auto& q : b.w[i].qs) {
      q = 0;
      for (int l = 0; l < 4; ++l) q |= static_cast<uint8_t>(rng() % 3) << (2 * l);
    }
    b.w[i].d = fp32_to_fp16(0.01f + 0.001f * static_cast<float>(rng() % 50));
    b.x[i].d = 0.003f + 1e-5f * static_cast<float>(rng() % 1000);
    for (auto& q : b.x[i].qs) q = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
    for (int j = 0; j < 16; ++j) {
      int s = 0;
      for (int k = 0; k < 16; ++k) s += b.x[i].qs[16 * j + k];
      b.x[i].bsums[j] = static_cast<int16_t>(s);
    }
  }
  return b;
}

// Exact value: Σ_b d_b Σ_i q_i (c_i - 1), in double.
double exact_dot(const Blocks& b) {
  double s = 0;
  for (size_t i = 0; i < b.w.size(); ++i) {
    int64_t isum = 0;
    for (int h = 0; h < 2; ++h)
      for (int l = 0; l < 4; ++l)
        for (int j = 0; j < 32; ++j)
          isum += (((b.w[i].qs[32 * h + j] >> (2 * l)) & 3) - 1) * b.x[i].qs[128 * h + 32 * l + j];
    s += static_cast<double>(b.x[i].d * fp16_to_fp32(b.w[i].d)) * static_cast<double>(isum);
  }
  return s;
}

TEST(GgmlOrder, Tq2DotIsTheExactSumUpToRounding) {
  for (int64_t nb : {1, 2, 6, 10}) {
    const Blocks b = random_blocks(nb, static_cast<uint32_t>(nb));
    const double e = exact_dot(b);
    const float got = model::detail::tq2_dot_ggml_x86(b.w.data(), b.x.data(), nb);
    EXPECT_NEAR(got, e, 1e-5 * (1 + std::fabs(e))) << nb << " blocks";
  }
}

// One nonzero product lands in lane m = (j % 32) / 4 of its half: the result is exactly d·q·(c-1),
// wherever the value sits (the lane map covers all 256 values once).
TEST(GgmlOrder, Tq2DotLaneMapCoversEveryValueOnce) {
  for (int v = 0; v < 256; ++v) {
    block_tq2_0 w{};
    for (auto& q : w.qs) q = 0x55;  // code 1 (weight 0) everywhere
    const int h = v / 128, l = (v % 128) / 32, j = v % 32;
    w.qs[32 * h + j] = static_cast<uint8_t>((w.qs[32 * h + j] & ~(3 << (2 * l))) | (2 << (2 * l)));
    w.d = fp32_to_fp16(0.5f);
    block_q8_K x{};
    x.d = 0.25f;
    x.qs[v] = 7;
    x.bsums[v / 16] = 7;
    EXPECT_EQ(model::detail::tq2_dot_ggml_x86(&w, &x, 1), 0.5f * 0.25f * 7) << "value " << v;
  }
}

// llama.cpp's TQ1_0 and TQ2_0 runs of a model give byte-identical KL-divergence base files: both
// AVX2 dots put the same values in the same lanes. Ours must give the same float, bit for bit,
// for the same ternary weights in either format (both quantized as llama.cpp does).
TEST(GgmlOrder, Tq1DotEqualsTq2DotOnTheSameWeights) {
  for (int64_t nb : {1, 2, 6}) {
    const Blocks b = random_blocks(nb, static_cast<uint32_t>(100 + nb));
    std::vector<float> wf(static_cast<size_t>(nb * kQK_K));
    std::mt19937 rng(static_cast<uint32_t>(nb));
    for (float& v : wf) v = 0.0625f * (static_cast<float>(rng() % 3) - 1.0f);
    std::vector<block_tq2_0> w2(static_cast<size_t>(nb));
    std::vector<block_tq1_0> w1(static_cast<size_t>(nb));
    quantize_tq2_0(wf.data(), reinterpret_cast<uint8_t*>(w2.data()), nb * kQK_K);
    quantize_tq1_0(wf.data(), reinterpret_cast<uint8_t*>(w1.data()), nb * kQK_K);
    const float d2 = model::detail::tq2_dot_ggml_x86(w2.data(), b.x.data(), nb);
    const float d1 = model::detail::tq1_dot_ggml_x86(w1.data(), b.x.data(), nb);
    EXPECT_EQ(std::memcmp(&d1, &d2, sizeof d1), 0) << nb << " blocks: " << d1 << " vs " << d2;
    // and both are the exact dot up to float rounding
    double e = 0;
    for (int64_t i = 0; i < nb; ++i) {
      int64_t isum = 0;
      for (int j = 0; j < kQK_K; ++j)
        isum += static_cast<int64_t>(std::lround(wf[i * kQK_K + j] * 16)) * b.x[i].qs[j];
      e += static_cast<double>(b.x[i].d * fp16_to_fp32(w2[i].d)) * static_cast<double>(isum);
    }
    EXPECT_NEAR(d1, e, 1e-5 * (1 + std::fabs(e))) << nb << " blocks";
  }
}

// ggml's SiLU: the polynomial expf over full groups of 16, libm's for the rest; within 4 ulp of
// the libm form everywhere, and different from it somewhere (else the emulation would be moot).
TEST(GgmlOrder, SiluFollowsGgmlGroupsOf16) {
  std::vector<float> x(1007), y(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = -8.0f + 16.0f * static_cast<float>(i) / 1007.0f;
  model::detail::ggml_vec_silu(x.data(), y.data(), static_cast<int64_t>(x.size()));
  int differ = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float libm = x[i] / (1.0f + std::exp(-x[i]));
    EXPECT_NEAR(y[i], libm, 4.8e-7f * std::fabs(libm) + 1e-30f) << x[i];
    if (i >= 992) {
      EXPECT_EQ(y[i], libm) << "leftover " << i;  // 1007 % 16 = 15 leftovers
    }
    differ += y[i] != libm;
  }
  EXPECT_GT(differ, 0);
  EXPECT_EQ(model::detail::ggml_v_expf(0.0f), 1.0f);
  EXPECT_EQ(model::detail::ggml_v_expf(-200.0f), 0.0f);
}

TEST(GgmlOrder, PeerFloatOrderDoesNotDependOnThreads) {
  const model::Model m = model::Model::from_view(
      fixtures::model_view(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf")));
  const std::vector<int32_t> toks = {1, 17, 42, 99, 3, 250, 7, 128, 64, 5};
  std::vector<float> a, b;
  for (int threads : {1, 2}) {
    model::Engine e(
        m, model::EngineOptions{.n_threads = threads, .n_ctx = 64, .peer_float_order = true});
    e.forward(toks, threads == 1 ? &a : &b);
    const auto step = e.forward(5);  // and a single-token step
    (threads == 1 ? a : b).insert((threads == 1 ? a : b).end(), step.begin(), step.end());
  }
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  // The golden logits (llama.cpp, same prompt) stay in the 1 - 5e-9 class.
  const testutil::Golden g =
      testutil::load_golden(testutil::data_path("decode/logits-tiny-bitnet-A-TQ2_0.json"));
  const size_t V = g.logits[0].size();
  for (size_t i = 0; i < toks.size(); ++i)
    EXPECT_GE(testutil::cosine({a.data() + i * V, V}, g.logits[i]), 1 - 5e-9) << "row " << i;
}

}  // namespace
}  // namespace bitnet
