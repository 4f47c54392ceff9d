// fp16/bf16 conversions (formats.h): exhaustive fp16 -> f32 -> fp16 round trip, and f32 -> fp16
// against the hardware conversion: F16C on x86-64 (this file is compiled with -mf16c; the test
// skips on CPUs without F16C), FCVT on aarch64 (baseline ARMv8-A, round to nearest even).
#include <gtest/gtest.h>
#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#include <cmath>
#include <random>

#include "bitnet/formats/blocks.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/cpu.h"

namespace bitnet {
namespace {

#if defined(__x86_64__)
bool have_hw_fp16() {
  return cpu_features().f16c;
}
float hw_fp16_to_fp32(uint16_t h) {
  return _cvtsh_ss(h);
}
uint16_t hw_fp32_to_fp16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}
#elif defined(__aarch64__)
bool have_hw_fp16() {
  return true;
}
float hw_fp16_to_fp32(uint16_t h) {
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}
uint16_t hw_fp32_to_fp16(float f) {
  return vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(f))), 0);
}
#else
bool have_hw_fp16() {
  return false;
}
float hw_fp16_to_fp32(uint16_t) {
  return 0;
}
uint16_t hw_fp32_to_fp16(float) {
  return 0;
}
#endif

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

TEST(Fp16, ExhaustiveRoundTripThroughF32) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_fp32(static_cast<fp16_t>(h));
    const fp16_t back = fp32_to_fp16(f);
    const bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
    if (nan) {
      ASSERT_TRUE(std::isnan(f)) << h;
      ASSERT_EQ(back & 0x7c00, 0x7c00) << h;
      ASSERT_NE(back & 0x3ff, 0) << h;
    } else {
      ASSERT_EQ(back, h) << "fp16 0x" << std::hex << h;
    }
  }
}

TEST(Fp16, DecodeMatchesF16cExhaustively) {
  if (!have_hw_fp16()) GTEST_SKIP() << "CPU lacks F16C";
  for (uint32_t h = 0; h < 65536; ++h) {
    const float want = hw_fp16_to_fp32(static_cast<uint16_t>(h));
    const float got = fp16_to_fp32(static_cast<fp16_t>(h));
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(got));
    } else {
      ASSERT_EQ(bits(got), bits(want)) << h;
    }
  }
}

TEST(Fp16, EncodeMatchesF16cOnRandomAndEdgeFloats) {
  if (!have_hw_fp16()) GTEST_SKIP() << "CPU lacks F16C";
  std::mt19937 rng(1234);
  auto check = [](float f) {
    const auto want = static_cast<fp16_t>(hw_fp32_to_fp16(f));
    const fp16_t got = fp32_to_fp16(f);
    if (std::isnan(f)) return (got & 0x7c00) == 0x7c00 && (got & 0x3ff) != 0;
    return got == want;
  };
  // Every exponent near the fp16 range with random mantissas, plus halfway cases.
  for (int i = 0; i < 2000000; ++i) {
    const uint32_t r = static_cast<uint32_t>(rng());
    const float f = from_bits(i % 2 ? r : ((r & 0x807fffffu) | ((96 + (r % 48)) << 23)));
    ASSERT_TRUE(check(f)) << std::hexfloat << f;
  }
  for (uint32_t h = 0; h < 0x7c00; ++h) {  // exact halfway points between fp16 neighbours
    const float lo = fp16_to_fp32(static_cast<fp16_t>(h));
    const float hi = fp16_to_fp32(static_cast<fp16_t>(h + 1));
    const float mid = from_bits((bits(lo) + bits(hi)) / 2);
    ASSERT_TRUE(check(mid)) << std::hexfloat << mid;
    ASSERT_TRUE(check(-mid)) << std::hexfloat << -mid;
  }
  for (float f : {0.0f, -0.0f, 65504.0f, 65520.0f, 1e10f, -1e10f, 5.96e-8f, 2.98e-8f, 2.99e-8f,
                  INFINITY, -INFINITY, NAN})
    EXPECT_TRUE(check(f)) << f;
}

TEST(Bf16, RoundsToNearestEvenAndKeepsNaN) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3F808000u)), 0x3F80);  // tie, even stays
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3F818000u)), 0x3F82);  // tie, odd rounds up
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3F808001u)), 0x3F81);
  EXPECT_TRUE(std::isnan(bf16_to_fp32(fp32_to_bf16(NAN))));
  EXPECT_EQ(fp32_to_bf16(from_bits(0x7f800001u)) & 0x7f80, 0x7f80);
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = bf16_to_fp32(static_cast<bf16_t>(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(fp32_to_bf16(f), h);
    }
  }
  std::vector<float> x = {1.0f, -3.5f, 1e-20f};
  std::vector<bf16_t> y(3);
  convert_f32_to_bf16(x.data(), y.data(), 3);
  EXPECT_EQ(y[1], 0xC060);
  std::vector<fp16_t> z(3);
  convert_f32_to_f16(x.data(), z.data(), 3);
  EXPECT_EQ(z[0], 0x3C00);
  EXPECT_EQ(z[2], 0x0000);
}

}  // namespace
}  // namespace bitnet
