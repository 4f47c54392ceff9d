// The engine's dense dot products (kernels/model/dense_dot.h): where the header promises an exact
// result, the AVX2 table must give the scalar table's bits (Q6_K x Q8_K: exact int32 per block,
// then the same float steps), and dot2_f16_f32 must give dot_f16's bits for each row.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>
#include <vector>

#include "../kernels/model/dense_dot.h"
#include "bitnet/formats.h"

namespace bitnet::model::detail {
namespace {

const DotFns* avx2_or_skip() {
  const DotFns* f = dot_fns_avx2();
  if (f == nullptr || std::string(dot_fns().isa) != "avx2") return nullptr;
  return f;
}

// Random Q6_K rows and Q8_K columns; `extreme` pins scales and activations at their bounds.
void make_q6k(std::mt19937& rng, int64_t nb, bool extreme, std::vector<block_q6_K>& w,
              std::vector<block_q8_K>& x) {
  w.resize(static_cast<size_t>(nb));
  x.resize(static_cast<size_t>(nb));
  std::uniform_int_distribution<int> byte(0, 255), act(-128, 127);
  for (int64_t b = 0; b < nb; ++b) {
    block_q6_K& wb = w[static_cast<size_t>(b)];
    for (auto& v : wb.ql) v = static_cast<uint8_t>(extreme ? 0xFF : byte(rng));
    for (auto& v : wb.qh) v = static_cast<uint8_t>(extreme ? 0xFF : byte(rng));
    for (auto& v : wb.scales) v = static_cast<int8_t>(extreme ? -128 : byte(rng) - 128);
    wb.d = fp32_to_fp16(0.001f * static_cast<float>(1 + byte(rng)));
    block_q8_K& xb = x[static_cast<size_t>(b)];
    xb.d = 0.01f * static_cast<float>(1 + byte(rng));
    for (auto& v : xb.qs) v = static_cast<int8_t>(extreme ? -128 : act(rng));
    for (int j = 0; j < kQK_K / 16; ++j) {
      int s = 0;
      for (int i = 0; i < 16; ++i) s += xb.qs[16 * j + i];
      xb.bsums[j] = static_cast<int16_t>(s);
    }
  }
}

TEST(DenseDot, Q6kAvx2MatchesScalarBitForBit) {
  const DotFns* avx2 = avx2_or_skip();
  if (avx2 == nullptr) GTEST_SKIP() << "no AVX2 dot table on this CPU / ISA pin";
  std::mt19937 rng(7);
  for (int64_t nb : {1, 3, 10, 27}) {
    for (bool extreme : {false, true}) {
      std::vector<block_q6_K> w, w_next;
      std::vector<block_q8_K> x, unused;
      make_q6k(rng, nb, extreme, w, x);
      make_q6k(rng, nb, false, w_next, unused);
      const float want = dot_fns_scalar().dot_q6k_q8k(w.data(), x.data(), nb, nullptr);
      const float got = avx2->dot_q6k_q8k(w.data(), x.data(), nb, w_next.data());
      EXPECT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(want))
          << "nb " << nb << (extreme ? " extreme" : "") << ": " << got << " vs " << want;
    }
  }
}

TEST(DenseDot, Dot2F16EqualsDotF16PerRow) {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (const DotFns* f : {&dot_fns_scalar(), dot_fns_avx2()}) {
    if (f == nullptr) continue;
    for (int64_t n : {31, 32, 200, 2560}) {
      std::vector<fp16_t> w0(n), w1(n), x16(n);
      std::vector<float> xw(n);
      for (int64_t i = 0; i < n; ++i) {
        w0[i] = fp32_to_fp16(nd(rng));
        w1[i] = fp32_to_fp16(nd(rng));
        x16[i] = fp32_to_fp16(nd(rng));
        xw[i] = fp16_to_fp32(x16[i]);
      }
      float out[2];
      f->dot2_f16_f32(w0.data(), w1.data(), xw.data(), n, out, w1.data());
      EXPECT_EQ(std::bit_cast<uint32_t>(out[0]),
                std::bit_cast<uint32_t>(f->dot_f16(w0.data(), x16.data(), n)))
          << f->isa << " n " << n;
      EXPECT_EQ(std::bit_cast<uint32_t>(out[1]),
                std::bit_cast<uint32_t>(f->dot_f16(w1.data(), x16.data(), n)))
          << f->isa << " n " << n;
    }
  }
}

}  // namespace
}  // namespace bitnet::model::detail
