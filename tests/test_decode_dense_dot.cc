// The engine's dense dot products (kernels/model/dense_dot.h): where the header promises an exact
// result, the AVX2 table must give the scalar table's bits (Q6_K x Q8_K: exact int32 per block,
// then the same float steps), and dot2_f16_f32 must give dot_f16's bits for each row.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>
#include <vector>

#include "../kernels/model/dense_dot.h"
#include "bitnet/formats/blocks.h"

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

// The attention helpers: block versions equal the per-row functions bit for bit on every table;
// the AVX2 softmax exponent is within a few ulp of libm's.
TEST(DenseDot, AttentionBlocksMatchPerRowFunctions) {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (const DotFns* f : {&dot_fns_scalar(), dot_fns_avx2()}) {
    if (f == nullptr) continue;
    for (int64_t n : {8, 72, 128, 136}) {
      const int64_t count = 7, stride = n + 8;
      std::vector<float> rows(static_cast<size_t>(count * stride)), x(n), p(count);
      for (float& v : rows) v = nd(rng);
      for (float& v : x) v = nd(rng);
      for (float& v : p) v = nd(rng);
      std::vector<float> got(count), out_a(n, 0.5f), out_b(n, 0.5f);
      f->dot_f32_rows(rows.data(), stride, count, x.data(), n, got.data());
      for (int64_t t = 0; t < count; ++t)
        EXPECT_EQ(std::bit_cast<uint32_t>(got[t]),
                  std::bit_cast<uint32_t>(f->dot_f32(rows.data() + t * stride, x.data(), n)))
            << f->isa << " n " << n << " row " << t;
      f->axpy_rows_f32(p.data(), rows.data(), stride, count, out_a.data(), n);
      for (int64_t t = 0; t < count; ++t)
        f->axpy_f32(p[t], rows.data() + t * stride, out_b.data(), n);
      for (int64_t i = 0; i < n; ++i)
        EXPECT_EQ(std::bit_cast<uint32_t>(out_a[i]), std::bit_cast<uint32_t>(out_b[i]))
            << f->isa << " n " << n << " i " << i;
    }
  }
}

TEST(DenseDot, SoftmaxHelpersAgreeWithTheScalarPath) {
  const DotFns* avx2 = avx2_or_skip();
  if (avx2 == nullptr) GTEST_SKIP() << "no AVX2 dot table on this CPU / ISA pin";
  std::vector<float> s;
  for (float v = -100.0f; v <= 0.0f; v += 0.0137f) s.push_back(v);
  s.push_back(-87.5f);
  s.push_back(0.0f);
  std::vector<float> a = s, b = s;
  const double sum_a = avx2->exp_sum(a.data(), static_cast<int64_t>(a.size()), 0.0f);
  const double sum_b = dot_fns_scalar().exp_sum(b.data(), static_cast<int64_t>(b.size()), 0.0f);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < -87.3366f) {
      EXPECT_LE(a[i], 1.2e-38f) << s[i];  // 0 in the vector lanes; libm's denormal in the tail
      continue;
    }
    EXPECT_NEAR(a[i], b[i], 4e-7 * b[i]) << "exp(" << s[i] << ")";
  }
  EXPECT_NEAR(sum_a, sum_b, 1e-6 * sum_b);
  std::vector<float> r = {0.1f, 1.0f / 3.0f, 65519.0f, 1e-8f, -2.5e-3f, 0.99951172f, 1e5f, 7.0f};
  std::vector<float> r2 = r;
  avx2->round_f16(r.data(), static_cast<int64_t>(r.size()));
  dot_fns_scalar().round_f16(r2.data(), static_cast<int64_t>(r2.size()));
  for (size_t i = 0; i < r.size(); ++i)
    EXPECT_EQ(std::bit_cast<uint32_t>(r[i]), std::bit_cast<uint32_t>(r2[i])) << i;
}

}  // namespace
}  // namespace bitnet::model::detail
