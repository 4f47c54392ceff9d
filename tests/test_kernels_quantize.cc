// Weight quantizers and dequantization: hand-computed blocks from the published layouts
// (docs/background.md §1), lossless round trips of ternary data, ggml's test-quantize-fns error
// bounds on smooth data, odd-length sweeps, every dequant kernel against the reference, and the
// scalar dequantize_row of the embedding formats (F16, BF16, Q8_0, Q6_K).
#include <gtest/gtest.h>

#include <cmath>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "kernels_test_util.h"

namespace bitnet::test {
namespace {

// A block of 256 trits with every position distinct-ish: t[i] = (i*7 + i/5) % 3 - 1.
std::vector<int> pattern_trits() {
  std::vector<int> t(kQK_K);
  for (int i = 0; i < kQK_K; ++i) t[i] = (i * 7 + i / 5) % 3 - 1;
  return t;
}

TEST(QuantizeTQ2_0, HandComputedLayout) {
  const auto t = pattern_trits();
  std::vector<float> x(kQK_K);
  for (int i = 0; i < kQK_K; ++i) x[i] = 0.75f * t[i];
  uint8_t got[sizeof(block_tq2_0)];
  quantize_tq2_0(x.data(), got, kQK_K);
  // Element 128c + 32n + m lives in qs[32c + m], bits 2n..2n+1, as code t + 1; d last.
  uint8_t want[sizeof(block_tq2_0)] = {};
  for (int c = 0; c < 2; ++c)
    for (int n = 0; n < 4; ++n)
      for (int m = 0; m < 32; ++m) want[32 * c + m] |= (t[128 * c + 32 * n + m] + 1) << (2 * n);
  want[64] = 0x00;  // fp16(0.75) = 0x3A00, little-endian
  want[65] = 0x3A;
  EXPECT_EQ(0, std::memcmp(got, want, sizeof want));
}

TEST(QuantizeTQ1_0, HandComputedLayout) {
  const auto t = pattern_trits();
  std::vector<float> x(kQK_K);
  for (int i = 0; i < kQK_K; ++i) x[i] = -1.5f * t[i];
  uint8_t got[sizeof(block_tq1_0)];
  quantize_tq1_0(x.data(), got, kQK_K);
  // Digits most significant first, stored as ceil(q * 256 / 243).
  auto enc = [](const std::vector<int>& d) {
    int q = 0;
    for (int v : d) q = q * 3 + v;
    for (size_t i = d.size(); i < 5; ++i) q *= 3;
    return static_cast<uint8_t>((q * 256 + 242) / 243);
  };
  auto c = [&](int i) { return -t[i] + 1; };  // x = -1.5 t: trit of x is -t
  uint8_t want[sizeof(block_tq1_0)] = {};
  for (int m = 0; m < 32; ++m) want[m] = enc({c(m), c(m + 32), c(m + 64), c(m + 96), c(m + 128)});
  for (int m = 0; m < 16; ++m)
    want[32 + m] = enc({c(160 + m), c(176 + m), c(192 + m), c(208 + m), c(224 + m)});
  for (int j = 0; j < 4; ++j) want[48 + j] = enc({c(240 + j), c(244 + j), c(248 + j), c(252 + j)});
  want[52] = 0x00;  // fp16(1.5) = 0x3E00
  want[53] = 0x3E;
  EXPECT_EQ(0, std::memcmp(got, want, sizeof want));
}

TEST(QuantizeTQ, HalfwayRoundsAwayFromZeroLikeLroundf) {
  std::vector<float> x(kQK_K, 0.0f);
  x[0] = 1.0f;   // d = 1
  x[1] = 0.5f;   // lroundf(0.5) = 1 -> code 2
  x[2] = -0.5f;  // -1 -> code 0
  x[3] = 0.49f;  // 0 -> code 1
  uint8_t b[sizeof(block_tq2_0)];
  quantize_tq2_0(x.data(), b, kQK_K);
  std::vector<float> y(kQK_K);
  dequantize_row(TypeId::kTQ2_0, b, y.data(), kQK_K);
  EXPECT_EQ(y[1], 1.0f);
  EXPECT_EQ(y[2], -1.0f);
  EXPECT_EQ(y[3], 0.0f);
}

TEST(QuantizeI2_S, HandComputedLayoutScaleAndTrailer) {
  std::vector<float> x(2 * kI2sBlock);
  for (int i = 0; i < 2 * kI2sBlock; ++i) x[i] = ((i * 5) % 3 - 1) * 0.3f;
  x[7] = 5e-7f;   // |x| < 1e-6: zero, code 1
  x[8] = -2e-6f;  // sign only: code 0
  x[9] = 0.9f;    // the tensor max
  std::vector<uint8_t> got(quantized_bytes(TypeId::kI2_S, 256));
  ASSERT_EQ(got.size(), 64u + 32u);
  std::fill(got.begin(), got.end(), 0xFF);
  quantize_i2_s(x.data(), got.data(), 256);
  std::vector<uint8_t> want(96, 0);
  for (int i = 0; i < 256; ++i) {
    const int code = std::fabs(x[i]) < 1e-6f ? 1 : (x[i] > 0 ? 2 : 0);
    const int j = i % 128;
    want[(i / 128) * 32 + j % 32] |= code << (6 - 2 * (j / 32));
  }
  const float scale = 0.9f;
  std::memcpy(want.data() + 64, &scale, 4);
  EXPECT_EQ(got, want);
  EXPECT_EQ(i2s_tensor_scale(got.data(), 256), 0.9f);
}

// Q4_0 by hand (ggml's quantize_row_q4_0_ref; llama-quantize's bytes are checked end to end in
// test_kernels_quantize_fallback): d = max/-8 from the value of largest magnitude (the first on
// ties), codes min(15, trunc(x/d + 8.5)).
TEST(QuantizeQ4_0, HandValues) {
  std::vector<float> x(64, 0.0f);
  const float s = 0.5f;
  x[0] = s, x[1] = -s, x[16] = s, x[17] = -s;  // block 0: ternary, max = +s (first)
  x[32] = -1.0f, x[33] = 1.0f, x[34] = 0.25f;  // block 1: max = -1 (first of the tie)
  std::vector<uint8_t> q(quantized_bytes(TypeId::kQ4_0, 64));
  ASSERT_EQ(q.size(), 36u);
  quantize_q4_0(x.data(), q.data(), 64);
  block_q4_0 b0, b1;
  std::memcpy(&b0, q.data(), 18);
  std::memcpy(&b1, q.data() + 18, 18);
  EXPECT_EQ(fp16_to_fp32(b0.d), -s / 8);
  // +s -> 0, -s -> 16 clamped to 15, 0 -> 8; element j low nibble, j + 16 high nibble.
  EXPECT_EQ(b0.qs[0], 0x00);
  EXPECT_EQ(b0.qs[1], 0xFF);
  EXPECT_EQ(b0.qs[2], 0x88);
  EXPECT_EQ(fp16_to_fp32(b1.d), 1.0f / 8);
  EXPECT_EQ(b1.qs[0] & 0x0F, 0);   // -1 = max -> 0
  EXPECT_EQ(b1.qs[1] & 0x0F, 15);  // +1 -> 16 -> 15 (= 7/8)
  EXPECT_EQ(b1.qs[2] & 0x0F, 10);  // 0.25 / 0.125 + 8.5 = 10.5 -> 10
  std::vector<float> y(64);
  dequantize_row(TypeId::kQ4_0, q.data(), y.data(), 64);
  EXPECT_EQ(y[0], s);
  EXPECT_EQ(y[1], -7 * s / 8);  // why Q4_0 is not lossless for ternary weights
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[34], 0.25f);
  // All zero: d = 0 / -8 = -0 (fp16 0x8000, as ggml writes it), every code 8.
  std::vector<float> z(32, 0.0f);
  quantize_q4_0(z.data(), q.data(), 32);
  EXPECT_EQ(q[0], 0x00);
  EXPECT_EQ(q[1], 0x80);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(q[2 + j], 0x88);
  z[7] = std::nanf("");
  try {
    quantize_q4_0(z.data(), q.data(), 32);
    ADD_FAILURE() << "NaN quantized";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("element 7 is nan"), std::string::npos) << e.what();
  }
}

TEST(QuantizeErrors, LengthsNotMultipleOfTheBlockAreRejected) {
  std::vector<float> x(1024, 1.0f);
  std::vector<uint8_t> out(4096);
  EXPECT_THROW(quantize_tq2_0(x.data(), out.data(), 255), std::invalid_argument);
  EXPECT_THROW(quantize_tq1_0(x.data(), out.data(), 257), std::invalid_argument);
  EXPECT_THROW(quantize_i2_s(x.data(), out.data(), 100), std::invalid_argument);
  EXPECT_THROW(quantized_bytes(TypeId::kQ4_1, 32), std::invalid_argument);
  EXPECT_THROW(quantize_q4_0(x.data(), out.data(), 33), std::invalid_argument);
  EXPECT_THROW(dequantize_row(TypeId::kQ6_K, out.data(), x.data(), 100), std::invalid_argument);
  EXPECT_THROW(dequantize_row(TypeId::kQ4_K, out.data(), x.data(), 256), std::invalid_argument);
  EXPECT_EQ(quantized_bytes(TypeId::kTQ2_0, 512), 132u);
  EXPECT_EQ(quantized_bytes(TypeId::kTQ1_0, 512), 108u);
  EXPECT_EQ(quantized_bytes(TypeId::kI2_S, 512), 160u);
}

// Ternary data survives quantize -> dequantize exactly, for every block count up to 9.
TEST(QuantizeRoundTrip, TernaryDataIsLosslessForOddLengths) {
  for (TypeId t : {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S}) {
    for (int64_t blocks = 1; blocks <= 9; ++blocks) {
      const int64_t n = blocks * kQK_K;
      const TernaryWeights w = make_ternary(t, 1, n, static_cast<uint32_t>(blocks));
      std::vector<uint8_t> q(quantized_bytes(t, n));
      quantize(t, w.values.data(), q.data(), n);
      const float s = t == TypeId::kI2_S ? i2s_tensor_scale(q.data(), n) : 1.0f;
      std::vector<float> y(static_cast<size_t>(n));
      dequantize(t, q.data(), y.data(), n, s);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(bits_of(y[i]), bits_of(w.values[i]))
            << type_traits(static_cast<uint32_t>(t))->name << " n=" << n << " i=" << i;
    }
  }
}

// ggml test-quantize-fns: data 0.1 + 2cos(i), RMSE defined as sqrt(Σd²)/n must stay < 0.01 for
// ternary types; the dot-product error |q·q - x·x| / n < 0.15.
TEST(QuantizeRoundTrip, GgmlTotalErrorBoundsOnSmoothData) {
  const int64_t n = 32 * 128;
  std::vector<float> x(n), x2(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = 0.1f + 2 * std::cos(static_cast<float>(i));
    x2[i] = 0.1f + 2 * std::cos(static_cast<float>(i) + 1.0f);
  }
  for (TypeId t : {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S}) {
    std::vector<uint8_t> q(quantized_bytes(t, n));
    quantize(t, x.data(), q.data(), n);
    std::vector<float> y(n);
    dequantize(t, q.data(), y.data(), n, t == TypeId::kI2_S ? i2s_tensor_scale(q.data(), n) : 1.0f);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (x[i] - y[i]) * static_cast<double>(x[i] - y[i]);
    const double err = std::sqrt(sum) / n;
    // I2_S keeps only the sign (one scale per tensor), so it gets a looser, documented bound.
    EXPECT_LT(err, t == TypeId::kI2_S ? 0.02 : 0.01) << type_traits(static_cast<uint32_t>(t))->name;
    if (t == TypeId::kI2_S) continue;
    ActBuffer acts;
    quantize_acts(t, x2.data(), n, 1, n, acts);
    float dot = 0;
    matmul({t, q.data(), q.size(), 1.0f, 1, n, acts.view(), &dot, 1});
    double exact = 0;
    for (int64_t i = 0; i < n; ++i) exact += x[i] * static_cast<double>(x2[i]);
    EXPECT_LT(std::fabs(dot - exact) / n, 0.15) << type_traits(static_cast<uint32_t>(t))->name;
  }
}

class DequantKernel : public ::testing::TestWithParam<std::string> {};

TEST_P(DequantKernel, MatchesReferenceOnRandomBytes) {
  const KernelInfo& k = kernel_or_die(GetParam());
  BITNET_SKIP_IF_UNAVAILABLE(k);
  const KernelInfo& ref = reference_kernel(Op::kDequant, k.wtype);
  for (int64_t blocks : {1, 2, 3, 10, 27}) {
    // Valid encodings only (what the quantizers write): codes 0..2, TQ1_0 digits < 243.
    const int64_t n = blocks * kQK_K;
    const TernaryWeights w = make_ternary(k.wtype, 1, n, static_cast<uint32_t>(blocks));
    std::vector<uint8_t> src(quantized_bytes(k.wtype, n) + 1);
    quantize(k.wtype, w.values.data(), src.data() + 1, n);
    std::vector<float> got(n + 2, -7.0f), want(n);
    k.dequant(src.data() + 1, got.data() + 1, n, 0.37f);  // misaligned source
    ref.dequant(src.data() + 1, want.data(), n, 0.37f);
    EXPECT_EQ(got[0], -7.0f);
    EXPECT_EQ(got[n + 1], -7.0f);
    EXPECT_EQ(0, std::memcmp(got.data() + 1, want.data(), n * sizeof(float))) << "n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(AllDequantKernels, DequantKernel,
                         ::testing::ValuesIn(kernel_names(Op::kDequant)),
                         [](const auto& info) { return info.param; });

TEST(DequantizeRow, F16AndBF16) {
  const uint16_t h[3] = {0x3C00, 0xC000, 0x7BFF};  // 1, -2, 65504
  float y[3];
  dequantize_row(TypeId::kF16, reinterpret_cast<const uint8_t*>(h), y, 3);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], -2.0f);
  EXPECT_EQ(y[2], 65504.0f);
  const uint16_t b[2] = {0x3F80, 0xC0A0};  // 1, -5
  dequantize_row(TypeId::kBF16, reinterpret_cast<const uint8_t*>(b), y, 2);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], -5.0f);
}

TEST(DequantizeRow, Q8_0HandBlock) {
  block_q8_0 blk;
  blk.d = fp32_to_fp16(0.5f);
  for (int i = 0; i < 32; ++i) blk.qs[i] = static_cast<int8_t>(i - 16);
  float y[32];
  dequantize_row(TypeId::kQ8_0, reinterpret_cast<const uint8_t*>(&blk), y, 32);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(y[i], 0.5f * (i - 16));
}

TEST(DequantizeRow, Q6_KHandBlock) {
  // Build a Q6_K block from chosen 6-bit values L (0..63) and scales; value = d*sc*(L-32).
  block_q6_K blk{};
  int L[kQK_K];
  for (int i = 0; i < kQK_K; ++i) L[i] = (i * 37 + 11) % 64;
  for (int j = 0; j < 16; ++j) blk.scales[j] = static_cast<int8_t>(j * 9 - 70);
  blk.d = fp32_to_fp16(0.125f);
  // Layout per 128 half: ql[l] low nibbles of L[l] | L[l+64]<<4, ql[l+32]: L[l+32] | L[l+96]<<4,
  // qh[l]: the high 2 bits of L[l], L[l+32], L[l+64], L[l+96] at bits 0,2,4,6.
  for (int h = 0; h < 2; ++h)
    for (int l = 0; l < 32; ++l) {
      const int* q = L + 128 * h;
      blk.ql[64 * h + l] = static_cast<uint8_t>((q[l] & 15) | ((q[l + 64] & 15) << 4));
      blk.ql[64 * h + l + 32] = static_cast<uint8_t>((q[l + 32] & 15) | ((q[l + 96] & 15) << 4));
      blk.qh[32 * h + l] = static_cast<uint8_t>((q[l] >> 4) | ((q[l + 32] >> 4) << 2) |
                                                ((q[l + 64] >> 4) << 4) | ((q[l + 96] >> 4) << 6));
    }
  float y[kQK_K];
  dequantize_row(TypeId::kQ6_K, reinterpret_cast<const uint8_t*>(&blk), y, kQK_K);
  for (int i = 0; i < kQK_K; ++i) {
    const int sub = i / 16;  // 16 values per scale
    EXPECT_EQ(y[i], 0.125f * blk.scales[sub] * (L[i] - 32)) << i;
  }
}

TEST(Dequantize, DriverRejectsBadInput) {
  std::vector<uint8_t> src(1024);
  std::vector<float> dst(1024);
  EXPECT_THROW(dequantize(TypeId::kTQ2_0, src.data(), dst.data(), 300), std::invalid_argument);
  EXPECT_THROW(dequantize(TypeId::kTQ2_0, nullptr, dst.data(), 256), std::invalid_argument);
  EXPECT_THROW(dequantize(TypeId::kTQ1_0, src.data(), dst.data(), 256, 1.0f,
                          &reference_kernel(Op::kDequant, TypeId::kTQ2_0)),
               std::invalid_argument);
  EXPECT_THROW(i2s_tensor_scale(src.data(), 100), std::invalid_argument);
}

}  // namespace
}  // namespace bitnet::test
