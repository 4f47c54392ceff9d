// Activation quantization: hand-computed Q8_K / I8_S cases that pin the rounding rules of the
// origin (ties to even, the signed max, clamping), and every registered quant_act kernel
// against the scalar reference byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "kernels_test_util.h"

namespace bitnet::test {
namespace {

block_q8_K quant_q8k_block(const float* x) {
  std::vector<uint8_t> out(sizeof(block_q8_K));
  reference_kernel(Op::kQuantAct, TypeId::kTQ2_0).quant_act(x, kQK_K, out.data(), nullptr, nullptr);
  block_q8_K b;
  std::memcpy(&b, out.data(), sizeof b);
  return b;
}

TEST(QuantActQ8K, HandComputedBlockRoundsTiesToEven) {
  float x[kQK_K] = {};
  x[0] = -127.0f;  // largest magnitude, negative: iscale = -127/-127 = 1
  x[1] = 2.5f;     // ties to even: 2 (lround would give 3)
  x[2] = 3.5f;     // 4
  x[3] = -2.5f;    // -2
  x[4] = 0.49f;    // 0
  x[17] = 126.6f;  // 127
  const block_q8_K b = quant_q8k_block(x);
  EXPECT_EQ(b.d, 1.0f);
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], 2);
  EXPECT_EQ(b.qs[2], 4);
  EXPECT_EQ(b.qs[3], -2);
  EXPECT_EQ(b.qs[4], 0);
  EXPECT_EQ(b.qs[17], 127);
  EXPECT_EQ(b.bsums[0], -127 + 2 + 4 - 2);
  EXPECT_EQ(b.bsums[1], 127);
  for (int j = 2; j < 16; ++j) EXPECT_EQ(b.bsums[j], 0);
}

TEST(QuantActQ8K, SignedMaxFirstOnTiesAndNegatedScale) {
  float x[kQK_K] = {};
  x[0] = 5.0f;
  x[1] = -5.0f;  // same magnitude, later: max stays +5, iscale = -25.4
  x[2] = 2.0f;   // -25.4 * 2 = -50.8 -> -51
  const block_q8_K b = quant_q8k_block(x);
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], 127);
  EXPECT_EQ(b.qs[2], -51);
  EXPECT_EQ(b.d, 1 / (-127.f / 5.0f));
}

TEST(QuantActQ8K, AllZeroBlockIsAllZero) {
  float x[kQK_K] = {};
  const block_q8_K b = quant_q8k_block(x);
  EXPECT_EQ(b.d, 0.0f);
  for (int i = 0; i < kQK_K; ++i) EXPECT_EQ(b.qs[i], 0);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b.bsums[j], 0);
}

TEST(QuantActI8S, HandComputedRowRoundsTiesToEven) {
  // max|x| = 127/128 makes s = 127/max = 128 exactly, so x*s hits exact .5 ties.
  std::vector<float> x = {0.9921875f, 62.5f / 128, -62.5f / 128, 63.5f / 128, 1e-9f, -0.9921875f};
  std::vector<uint8_t> q(x.size());
  float s = 0;
  int32_t sum = 0;
  reference_kernel(Op::kQuantAct, TypeId::kI2_S)
      .quant_act(x.data(), static_cast<int64_t>(x.size()), q.data(), &s, &sum);
  EXPECT_EQ(s, 128.0f);
  const int8_t want[] = {127, 62, -62, 64, 0, -127};
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(static_cast<int8_t>(q[i]), want[i]) << i;
  EXPECT_EQ(sum, 127 + 62 - 62 + 64 + 0 - 127);
}

TEST(QuantActI8S, TinyInputUsesTheFloorOf1e5) {
  std::vector<float> x(128, 0.0f);
  x[5] = 1e-6f;
  std::vector<uint8_t> q(x.size());
  float s = 0;
  int32_t sum = 0;
  reference_kernel(Op::kQuantAct, TypeId::kI2_S).quant_act(x.data(), 128, q.data(), &s, &sum);
  EXPECT_EQ(s, static_cast<float>(127 / 0.00001));
  EXPECT_EQ(static_cast<int8_t>(q[5]), 13);  // 1e-6 * 12700000 = 12.7 -> 13
  EXPECT_EQ(sum, 13);
}

class QuantActKernel : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantActKernel, MatchesReferenceByteForByte) {
  const KernelInfo& k = kernel_or_die(GetParam());
  BITNET_SKIP_IF_UNAVAILABLE(k);
  const KernelInfo& ref = reference_kernel(Op::kQuantAct, k.wtype);
  const bool q8k = k.atype == TypeId::kQ8_K;
  uint32_t seed = 11;
  for (int64_t K : {256, 512, 2560, 6912}) {
    for (float scale : {1.0f, 1e-3f, 300.0f}) {
      std::vector<float> x = make_acts(K, 1, seed++, scale);
      if (seed % 3 == 0) x[K / 2] = 0.0f;
      if (seed % 2 == 0 && q8k) std::fill(x.begin(), x.begin() + kQK_K, 0.0f);  // a zero block
      const size_t bytes = q8k ? K / kQK_K * sizeof(block_q8_K) : static_cast<size_t>(K);
      std::vector<uint8_t> got(bytes + 2, 0x5A), want(bytes, 0);
      float gs = -1, ws = -1;
      int32_t gsum = -1, wsum = -1;
      k.quant_act(x.data(), K, got.data() + 1, &gs, &gsum);  // misaligned destination
      ref.quant_act(x.data(), K, want.data(), &ws, &wsum);
      EXPECT_EQ(got[0], 0x5A);
      EXPECT_EQ(got[bytes + 1], 0x5A);
      EXPECT_EQ(0, std::memcmp(got.data() + 1, want.data(), bytes))
          << "K=" << K << " scale=" << scale;
      if (!q8k) {
        EXPECT_EQ(bits_of(gs), bits_of(ws));
        EXPECT_EQ(gsum, wsum);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllQuantActKernels, QuantActKernel,
                         ::testing::ValuesIn(kernel_names(Op::kQuantAct)),
                         [](const auto& info) { return info.param; });

TEST(QuantizeActs, DriverChecksShapes) {
  ActBuffer buf;
  std::vector<float> x(1024, 1.0f);
  EXPECT_THROW(quantize_acts(TypeId::kTQ2_0, x.data(), 300, 1, 300, buf), std::invalid_argument);
  EXPECT_THROW(quantize_acts(TypeId::kI2_S, x.data(), 200, 1, 200, buf), std::invalid_argument);
  EXPECT_THROW(quantize_acts(TypeId::kF16, x.data(), 256, 1, 256, buf), std::invalid_argument);
  EXPECT_THROW(quantize_acts(TypeId::kTQ2_0, nullptr, 256, 1, 256, buf), std::invalid_argument);
  EXPECT_THROW(quantize_acts(TypeId::kTQ2_0, x.data(), 256, 2, 100, buf), std::invalid_argument);
  // A kernel for the wrong activation type is refused.
  EXPECT_THROW(quantize_acts(TypeId::kTQ2_0, x.data(), 256, 1, 256, buf,
                             &reference_kernel(Op::kQuantAct, TypeId::kI2_S)),
               std::invalid_argument);
  try {
    quantize_acts(TypeId::kTQ1_0, x.data(), 384, 1, 384, buf);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("multiple"), std::string::npos) << e.what();
  }
  quantize_acts(TypeId::kI2_S, x.data(), 256, 4, 256, buf);
  const QuantizedActs v = buf.view();
  EXPECT_EQ(v.type, TypeId::kI8);
  EXPECT_EQ(v.N, 4);
  EXPECT_EQ(v.col_bytes % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data) % 64, 0u);
  for (int n = 0; n < 4; ++n) EXPECT_EQ(v.sum[n], 127 * 256);
}

}  // namespace
}  // namespace bitnet::test
