// Q4_0, Q8_0 and Q6_K quantizers (kernels/formats/quantize_k.cc): byte-identical to llama.cpp's
// output on a crafted 48x256 embedding full of edge cases (tests/data/quantize, see
// tests/data/README.md), round-trip error bounds, hand-checked edge cases, and clear errors for bad
// input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/driver.h"

namespace bitnet {
namespace {

const std::string kDir = std::string(BITNET_TEST_DATA_DIR) + "/quantize";

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> quantized(TypeId t, const std::vector<float>& x) {
  std::vector<uint8_t> q(quantized_bytes(t, static_cast<int64_t>(x.size())));
  quantize(t, x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

std::vector<float> dequantized(TypeId t, const std::vector<uint8_t>& q, size_t n) {
  std::vector<float> y(n);
  dequantize_row(t, q.data(), y.data(), static_cast<int64_t>(n));
  return y;
}

std::vector<float> gaussian(size_t n, float sigma, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sigma);
  std::vector<float> x(n);
  for (auto& v : x) v = d(rng);
  return x;
}

block_q6_K q6k_block(const std::vector<uint8_t>& q, size_t b) {
  block_q6_K blk;
  std::memcpy(&blk, q.data() + b * sizeof blk, sizeof blk);
  return blk;
}

// The 6-bit code (0..63, value = code - 32) of element i of a Q6_K block (ggml's layout).
int q6k_code(const block_q6_K& b, int i) {
  const int half = i / 128, r = i % 128, l = r % 32, quarter = r / 32;
  const uint8_t lo = b.ql[64 * half + l + 32 * (quarter & 1)];
  const int low = quarter < 2 ? (lo & 0xF) : (lo >> 4);
  return low | (((b.qh[32 * half + l] >> (2 * quarter)) & 3) << 4);
}

// --- byte identity with llama.cpp --------------------------------------------------------------

// 48 rows x 256: zeros, one huge value, negative maxima, constants, values below GROUP_MAX_EPS,
// an fp16-underflowing Q6_K scale, fp16-subnormal scales, zero and tiny sub-blocks, Q8_0 ties,
// the 6-bit grid, +-equal maxima, 8 decades in one block, 1e5-scale values, f32 subnormals, then
// Gaussian rows (tests/data/README.md lists them). llama-quantize c392e5094 wrote the bytes.
TEST(QuantizeK, Q6_KAndQ8_0MatchLlamaQuantizeByteForByte) {
  const auto raw = slurp(kDir + "/embd-48x256.f32");
  ASSERT_EQ(raw.size(), 48u * 256u * 4u);
  std::vector<float> x(raw.size() / 4);
  std::memcpy(x.data(), raw.data(), raw.size());
  struct Case {
    TypeId type;
    const char* file;
    size_t block_bytes, block_elems;
  };
  for (const Case& c : {Case{TypeId::kQ6_K, "/embd-48x256-llama-quantize.q6_k", 210, 256},
                        Case{TypeId::kQ8_0, "/embd-48x256-llama-quantize.q8_0", 34, 32}}) {
    SCOPED_TRACE(c.file);
    const auto want = slurp(kDir + c.file);
    const auto got = quantized(c.type, x);
    ASSERT_EQ(got.size(), want.size());
    for (size_t b = 0; b < got.size() / c.block_bytes; ++b)
      EXPECT_TRUE(std::equal(got.begin() + b * c.block_bytes, got.begin() + (b + 1) * c.block_bytes,
                             want.begin() + b * c.block_bytes))
          << "block " << b << " (row " << b * c.block_elems / 256 << ") differs";
  }
}

// The same rows through libggml-base's ggml_quantize_chunk(GGML_TYPE_Q4_0, imatrix = NULL), the
// call llama-quantize makes for a Q4_0 tensor (tests/data/README.md).
TEST(QuantizeK, Q4_0MatchesGgmlByteForByte) {
  const auto raw = slurp(kDir + "/embd-48x256.f32");
  ASSERT_EQ(raw.size(), 48u * 256u * 4u);
  std::vector<float> x(raw.size() / 4);
  std::memcpy(x.data(), raw.data(), raw.size());
  const auto want = slurp(kDir + "/embd-48x256-ggml.q4_0");
  const auto got = quantized(TypeId::kQ4_0, x);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), 48u * 8u * sizeof(block_q4_0));
  for (size_t b = 0; b < got.size() / 18; ++b)
    EXPECT_TRUE(std::equal(got.begin() + b * 18, got.begin() + (b + 1) * 18, want.begin() + b * 18))
        << "block " << b << " (row " << b / 8 << ") differs";
}

// Q4_0 by hand: the largest-magnitude element (the first of equal ones) gets code 0, d = m / -8;
// codes truncate x/d + 8.5 and saturate at 15; element j is qs[j]'s low nibble, j + 16 its high.
TEST(QuantizeK, Q4_0HandValues) {
  std::vector<float> x(32, 0.0f);
  x[0] = 8.0f;    // max: d = -1, code 0
  x[1] = -8.0f;   // equal magnitude, later: x/d + 8.5 = 16.5 -> 16 -> saturates at 15
  x[2] = 2.5f;    // -2.5 + 8.5 = 6
  x[16] = -0.5f;  // 0.5 + 8.5 = 9
  x[17] = 0.49f;  // 8.01 -> 8
  const auto q = quantized(TypeId::kQ4_0, x);
  block_q4_0 b;
  ASSERT_EQ(q.size(), sizeof b);
  std::memcpy(&b, q.data(), sizeof b);
  EXPECT_EQ(b.d, fp32_to_fp16(-1.0f));
  EXPECT_EQ(b.qs[0], 0x90);  // low: element 0 -> 0, high: element 16 -> 9
  EXPECT_EQ(b.qs[1], 0x8F);  // low: element 1 -> 15, high: element 17 -> 8
  EXPECT_EQ(b.qs[2], 0x86);
  EXPECT_EQ(b.qs[3], 0x88);  // zeros are code 8
  const auto y = dequantized(TypeId::kQ4_0, q, 32);
  EXPECT_EQ(y[0], 8.0f);
  EXPECT_EQ(y[1], -7.0f);  // the saturated side loses one step
  EXPECT_EQ(y[2], 2.0f);
  EXPECT_EQ(y[16], -1.0f);
  EXPECT_EQ(y[17], 0.0f);
  EXPECT_EQ(y[3], 0.0f);
}

// Q4_0 on Gaussian data: every element within half a step of d = max/8 (plus d's fp16 rounding),
// except the saturated side, which may lose one more step.
TEST(QuantizeK, Q4_0ElementError) {
  const auto x = gaussian(32 * 64, 0.7f, 13);
  const auto y = dequantized(TypeId::kQ4_0, quantized(TypeId::kQ4_0, x), x.size());
  for (size_t b = 0; b < x.size() / 32; ++b) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
    const float step = amax / 8;
    for (int j = 0; j < 32; ++j)
      ASSERT_LE(std::fabs(x[32 * b + j] - y[32 * b + j]), 1.0f * step + 8 * step / 2048 + 1e-6f)
          << "block " << b << " element " << j;
  }
}

// --- round trips -------------------------------------------------------------------------------

// ggml's test-quantize-fns: data 0.1 + 2cos(i), RMSE / n below 0.002 for both types.
TEST(QuantizeK, RoundTripErrorWithinGgmlTestQuantizeFnsBound) {
  const size_t n = 32 * 128;
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = 0.1f + 2.0f * std::cos(static_cast<float>(i));
  for (TypeId t : {TypeId::kQ6_K, TypeId::kQ8_0, TypeId::kQ4_0}) {
    const auto y = dequantized(t, quantized(t, x), n);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += double(x[i] - y[i]) * (x[i] - y[i]);
    EXPECT_LT(std::sqrt(sum) / n, 0.002) << static_cast<int>(t);
  }
}

// Q8_0: every element within half a step (plus the fp16 rounding of d, at most 127 * d * 2^-11).
TEST(QuantizeK, Q8_0ElementErrorIsHalfAStep) {
  const auto x = gaussian(32 * 64, 0.7f, 3);
  const auto q = quantized(TypeId::kQ8_0, x);
  const auto y = dequantized(TypeId::kQ8_0, q, x.size());
  for (size_t b = 0; b < x.size() / 32; ++b) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
    const float step = amax / 127;
    for (int j = 0; j < 32; ++j)
      ASSERT_LE(std::fabs(x[32 * b + j] - y[32 * b + j]), 0.5f * step + 127 * step / 2048 + 1e-7f)
          << "block " << b << " element " << j;
  }
}

// Q6_K on Gaussian data: per-element error below 1.8 % of the block's max|x| (half a step of the
// largest sub-block, ~max/62, plus the 8-bit sub-scale rounding), relative RMS error below 2 %
// (steps of ~max/32 per 16 values: measured 1.77 %). At sigma 1e-3 the fp16 d (~max/4096) is
// subnormal and loses precision, as in ggml: 6 % and 2.5 % there (measured 4.6 %, 2.0 %).
TEST(QuantizeK, Q6_KErrorBounds) {
  struct Case {
    float sigma, worst_bound, rms_bound;
  };
  for (const Case& c :
       {Case{1e-3f, 0.06f, 0.025f}, Case{0.05f, 0.018f, 0.02f}, Case{3.0f, 0.018f, 0.02f}}) {
    const float sigma = c.sigma;
    SCOPED_TRACE(sigma);
    const auto x = gaussian(256 * 64, sigma, 7);
    const auto y = dequantized(TypeId::kQ6_K, quantized(TypeId::kQ6_K, x), x.size());
    double err2 = 0, ref2 = 0, worst = 0;
    for (size_t b = 0; b < x.size() / 256; ++b) {
      float amax = 0;
      for (int j = 0; j < 256; ++j) amax = std::max(amax, std::fabs(x[256 * b + j]));
      for (int j = 0; j < 256; ++j) {
        const size_t i = 256 * b + j;
        worst = std::max(worst, double(std::fabs(x[i] - y[i])) / amax);
        err2 += double(x[i] - y[i]) * (x[i] - y[i]);
        ref2 += double(x[i]) * x[i];
      }
    }
    std::printf("sigma %g: worst |err| %.4f of max|x|, relative RMS %.5f\n", sigma, worst,
                std::sqrt(err2 / ref2));
    EXPECT_LT(worst, c.worst_bound);
    EXPECT_LT(std::sqrt(err2 / ref2), c.rms_bound);
  }
}

// --- edge cases --------------------------------------------------------------------------------

TEST(QuantizeK, AllZerosGiveAllZeroBlocks) {
  const std::vector<float> x(512, 0.0f);
  for (TypeId t : {TypeId::kQ6_K, TypeId::kQ8_0}) {
    const auto q = quantized(t, x);
    EXPECT_TRUE(std::all_of(q.begin(), q.end(), [](uint8_t v) { return v == 0; }));
    const auto y = dequantized(t, q, x.size());
    EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return v == 0.0f; }));
  }
  // Q4_0 stores zeros as code 8 with d = 0 (-0.0: 0 / -8).
  const auto q = quantized(TypeId::kQ4_0, x);
  for (size_t b = 0; b < q.size() / 18; ++b) {
    EXPECT_EQ(fp16_to_fp32(static_cast<fp16_t>(q[18 * b] | (q[18 * b + 1] << 8))), 0.0f);
    EXPECT_TRUE(std::all_of(q.begin() + 18 * b + 2, q.begin() + 18 * (b + 1),
                            [](uint8_t v) { return v == 0x88; }));
  }
  const auto y = dequantized(TypeId::kQ4_0, q, x.size());
  EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return v == 0.0f; }));
}

TEST(QuantizeK, Q8_0HandValues) {
  // amax 127 -> d = 1 exactly; halves round away from zero (roundf), not to even.
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 3.5f;
  x[4] = -0.49f;
  const auto q = quantized(TypeId::kQ8_0, x);
  block_q8_0 b;
  std::memcpy(&b, q.data(), sizeof b);
  EXPECT_EQ(b.d, fp32_to_fp16(1.0f));
  EXPECT_EQ((std::vector<int>{b.qs[0], b.qs[1], b.qs[2], b.qs[3], b.qs[4], b.qs[5]}),
            (std::vector<int>{127, 3, -3, 4, 0, 0}));
  // A negative maximum maps to -127 (symmetric range), d stays positive.
  std::vector<float> neg(32, 0.25f);
  neg[9] = -2.0f;
  std::memcpy(&b, quantized(TypeId::kQ8_0, neg).data(), sizeof b);
  EXPECT_EQ(b.qs[9], -127);
  EXPECT_EQ(b.qs[0], 16);  // 0.25 * 127/2 = 15.875
  EXPECT_GT(fp16_to_fp32(b.d), 0.0f);
}

// ggml maps each group's extreme value to the long end of -32..31 (code 0) by choosing the
// scale's sign; d's sign therefore follows the block's largest element.
TEST(QuantizeK, Q6_KPutsTheExtremeOnTheLongEndForEitherSign) {
  for (float sign : {1.0f, -1.0f}) {
    SCOPED_TRACE(sign);
    auto x = gaussian(256, 0.05f, 11);
    x[200] = 3.0f * sign;
    const auto q = quantized(TypeId::kQ6_K, x);
    const block_q6_K b = q6k_block(q, 0);
    EXPECT_LE(q6k_code(b, 200), 1);  // -32, or -31 when the scale search picked max/31.x
    EXPECT_EQ(fp16_to_fp32(b.d) > 0, sign > 0);
    const auto y = dequantized(TypeId::kQ6_K, q, x.size());
    EXPECT_NEAR(y[200], x[200], 0.01f * 3.0f);
  }
}

// One huge value: it is kept within 1 %; its Q8_0 block and the Q6_K sub-blocks whose scales
// round to 0 next to it come back as zeros (the origin's behaviour, not an error).
TEST(QuantizeK, OneHugeValue) {
  auto x = gaussian(256, 0.05f, 5);
  x[37] = 1000.0f;
  const auto y6 = dequantized(TypeId::kQ6_K, quantized(TypeId::kQ6_K, x), x.size());
  EXPECT_NEAR(y6[37], 1000.0f, 10.0f);
  for (int i = 0; i < 256; ++i) {
    if (i / 16 != 37 / 16) {
      EXPECT_EQ(y6[i], 0.0f) << i;
    }
  }
  const auto y8 = dequantized(TypeId::kQ8_0, quantized(TypeId::kQ8_0, x), x.size());
  EXPECT_NEAR(y8[37], 1000.0f, 1.0f);
  for (int i = 32; i < 64; ++i) {
    if (i != 37) {
      EXPECT_EQ(y8[i], 0.0f) << i;
    }
  }
  for (int i = 64; i < 256; ++i) EXPECT_NEAR(y8[i], x[i], 0.003f) << i;  // other blocks fine
}

// Below ggml's GROUP_MAX_EPS (1e-15) a block is treated as zero; a Q6_K scale under half the
// smallest fp16 subnormal stores d = 0. Neither is an error.
TEST(QuantizeK, TinyValuesBecomeZeroBlocks) {
  auto x = gaussian(256, 1e-17f, 2);
  auto q = quantized(TypeId::kQ6_K, x);
  EXPECT_TRUE(std::all_of(q.begin(), q.end(), [](uint8_t v) { return v == 0; }));
  x = gaussian(256, 1e-10f, 2);
  q = quantized(TypeId::kQ6_K, x);
  EXPECT_EQ(fp16_to_fp32(q6k_block(q, 0).d), 0.0f);  // -0: d = 1/iscale of a positive max
  const auto y = dequantized(TypeId::kQ6_K, q, x.size());
  EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return v == 0.0f; }));
}

TEST(QuantizeK, WritesToUnalignedDestinations) {
  const auto x = gaussian(512, 0.1f, 9);
  for (TypeId t : {TypeId::kQ6_K, TypeId::kQ8_0, TypeId::kQ4_0}) {
    const auto want = quantized(t, x);
    std::vector<uint8_t> buf(want.size() + 1);
    quantize(t, x.data(), buf.data() + 1, static_cast<int64_t>(x.size()));
    EXPECT_TRUE(std::equal(want.begin(), want.end(), buf.begin() + 1));
  }
}

TEST(QuantizeK, SizesAndDispatch) {
  EXPECT_EQ(quantized_bytes(TypeId::kQ6_K, 512), 420u);
  EXPECT_EQ(quantized_bytes(TypeId::kQ8_0, 64), 68u);
  EXPECT_EQ(quantized_bytes(TypeId::kQ4_0, 64), 36u);
  EXPECT_EQ(type_traits(TypeId::kQ4_0)->file_type, 2u);  // LLAMA_FTYPE_MOSTLY_Q4_0
  const auto x = gaussian(256, 0.1f, 4);
  std::vector<uint8_t> a(210), b(210);
  quantize(TypeId::kQ6_K, x.data(), a.data(), 256);
  quantize_q6_K(x.data(), b.data(), 256);
  EXPECT_EQ(a, b);
  // The unchecked row version (decode-engine activations) gives the same bytes.
  std::vector<block_q8_0> blocks(8);
  quantize_row_q8_0(x.data(), blocks.data(), 256);
  std::vector<uint8_t> c(8 * 34);
  quantize_q8_0(x.data(), c.data(), 256);
  EXPECT_EQ(std::memcmp(blocks.data(), c.data(), c.size()), 0);
}

// --- bad input ---------------------------------------------------------------------------------

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(QuantizeK, BadLengthsAreErrors) {
  std::vector<float> x(300, 1.0f);
  std::vector<uint8_t> q(1024);
  std::string e = error_of([&] { quantize_q6_K(x.data(), q.data(), 300); });
  EXPECT_NE(e.find("n = 300 is not a multiple of the 256-element block"), std::string::npos) << e;
  e = error_of([&] { quantize_q8_0(x.data(), q.data(), 33); });
  EXPECT_NE(e.find("n = 33 is not a multiple of the 32-element block"), std::string::npos) << e;
  EXPECT_THROW(quantize_q8_0(x.data(), q.data(), -32), std::invalid_argument);
  e = error_of([&] { quantize_q4_0(x.data(), q.data(), 48); });
  EXPECT_NE(e.find("quantize_q4_0: n = 48 is not a multiple of the 32-element block"),
            std::string::npos)
      << e;
  EXPECT_THROW((void)quantized_bytes(TypeId::kQ6_K, 100), std::invalid_argument);
}

TEST(QuantizeK, NonFiniteValuesAreErrorsNamingTheElement) {
  std::vector<uint8_t> q(16 * 34);  // 512 values as Q8_0 (more than 2 Q6_K blocks)
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    std::vector<float> x(512, 0.5f);
    x[300] = bad;
    const std::string e6 = error_of([&] { quantize_q6_K(x.data(), q.data(), 512); });
    EXPECT_NE(e6.find("quantize_q6_K: element 300 is "), std::string::npos) << e6;
    const std::string e8 = error_of([&] { quantize_q8_0(x.data(), q.data(), 512); });
    EXPECT_NE(e8.find("quantize_q8_0: element 300 is "), std::string::npos) << e8;
    const std::string e4 = error_of([&] { quantize_q4_0(x.data(), q.data(), 512); });
    EXPECT_NE(e4.find("quantize_q4_0: element 300 is "), std::string::npos) << e4;
  }
  // The unchecked row version must not crash (or hit UB) on them.
  std::vector<float> x(32, std::numeric_limits<float>::quiet_NaN());
  x[1] = std::numeric_limits<float>::infinity();
  block_q8_0 b;
  quantize_row_q8_0(x.data(), &b, 32);
}

// Scales fp16 cannot hold: llama-quantize fails its row validation on these; we say why.
TEST(QuantizeK, ValuesTooLargeForTheScaleAreErrors) {
  std::vector<uint8_t> q(8 * 34);  // 256 values: 8 Q8_0 blocks (> one 210-byte Q6_K block)
  std::vector<float> x(256, 0.0f);
  x[3] = 1e7f;  // Q8_0: d = 78740 > 65504
  std::string e = error_of([&] { quantize_q8_0(x.data(), q.data(), 256); });
  EXPECT_NE(e.find("quantize_q8_0: block 0: values too large for Q8_0"), std::string::npos) << e;
  x[3] = 1e9f;  // Q6_K: d ~ max/4096 > 65504
  e = error_of([&] { quantize_q6_K(x.data(), q.data(), 256); });
  EXPECT_NE(e.find("quantize_q6_K: block 0: values too large for Q6_K"), std::string::npos) << e;
  x[3] = 1e20f;  // x^2 overflows inside make_qx_quants
  e = error_of([&] { quantize_q6_K(x.data(), q.data(), 256); });
  EXPECT_NE(e.find("values too large for Q6_K"), std::string::npos) << e;
  x[3] = 1e6f;  // Q4_0: d = -125000 < -65504
  e = error_of([&] { quantize_q4_0(x.data(), q.data(), 256); });
  EXPECT_NE(e.find("quantize_q4_0: block 0: values too large for Q4_0"), std::string::npos) << e;
  x[3] = 1e5f;  // large but storable: fine for all three
  EXPECT_NO_THROW(quantize_q4_0(x.data(), q.data(), 256));
  EXPECT_NO_THROW(quantize_q6_K(x.data(), q.data(), 256));
  EXPECT_NO_THROW(quantize_q8_0(x.data(), q.data(), 256));
}

}  // namespace
}  // namespace bitnet
