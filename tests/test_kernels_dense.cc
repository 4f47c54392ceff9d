// The dense kernels of the registry (kernels.inc, "Dense kernels": the engine's F32/F16/Q6_K/Q8_0
// dots, attention's axpy, widen, round and softmax exponentials): every available kernel meets its
// contract (bit-exact where the contract is exact; bitnet/dense_check.h), the Q6_K dot at the
// bounds of its scales and activations, the two-row F16 dot per row, and dispatch honours
// BITNET_ISA like the ternary kernels.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/dense_check.h"
#include "bitnet/kernels/registry.h"

namespace bitnet {
namespace {

std::vector<std::string> dense_kernel_names() {
  std::vector<std::string> names;
  for (const KernelInfo& k : all_kernels())
    if (is_dense_op(k.op)) names.emplace_back(k.name);
  return names;
}

class DenseKernel : public ::testing::TestWithParam<std::string> {};

TEST_P(DenseKernel, MeetsItsContract) {
  const KernelInfo* k = find_kernel(GetParam());
  ASSERT_NE(k, nullptr);
  if (!kernel_available(*k)) GTEST_SKIP() << "CPU lacks " << isa_name(k->isa);
  std::vector<std::string> lines;
  const bool ok = check_dense_kernel(*k, lines);
  for (const std::string& l : lines) EXPECT_EQ(l.rfind("ok", 0), 0u) << k->name << ": " << l;
  EXPECT_TRUE(ok);
  EXPECT_FALSE(lines.empty());
}

INSTANTIATE_TEST_SUITE_P(AllDenseKernels, DenseKernel, ::testing::ValuesIn(dense_kernel_names()),
                         [](const auto& info) { return info.param; });

// Every dense op and type pair the engine uses has a scalar reference and a kernel to select.
TEST(DenseKernels, EveryPairTheEngineUsesHasAReference) {
  const struct {
    Op op;
    TypeId w, a;
  } pairs[] = {
      {Op::kDot, TypeId::kF32, TypeId::kF32},    {Op::kDot, TypeId::kF16, TypeId::kF16},
      {Op::kDot, TypeId::kF16, TypeId::kF32},    {Op::kDot, TypeId::kQ6_K, TypeId::kQ8_K},
      {Op::kDot, TypeId::kQ8_0, TypeId::kQ8_0},  {Op::kDot, TypeId::kQ4_0, TypeId::kQ8_0},
      {Op::kAxpy, TypeId::kF32, TypeId::kF32},   {Op::kWiden, TypeId::kF16, TypeId::kF32},
      {Op::kRound, TypeId::kF16, TypeId::kF32},  {Op::kExpSum, TypeId::kF32, TypeId::kF32},
      {Op::kAttnQk, TypeId::kF16, TypeId::kF32}, {Op::kAttnPv, TypeId::kF16, TypeId::kF32}};
  for (const auto& p : pairs) {
    const KernelInfo& r = dense_reference_kernel(p.op, p.w, p.a);
    EXPECT_EQ(r.isa, Isa::kScalar) << r.name;
    EXPECT_EQ(&select_dense_kernel_pinned(p.op, p.w, p.a, Isa::kScalar), &r) << r.name;
    const KernelInfo& best = select_dense_kernel_pinned(p.op, p.w, p.a, std::nullopt);
    EXPECT_TRUE(kernel_available(best)) << best.name;
    if (cpu_has(Isa::kAvx2)) {
      EXPECT_NE(best.isa, Isa::kScalar) << best.name;  // AVX2, or AVX-512 VNNI for Q4_0
    }
  }
  EXPECT_THROW(dense_reference_kernel(Op::kDot, TypeId::kQ4_1, TypeId::kQ8_0),
               std::invalid_argument);
}

// BITNET_ISA pins the dense kernels too: scalar gives the scalar references.
TEST(DenseKernels, IsaPinSelectsTheScalarReferences) {
  const char* old = std::getenv("BITNET_ISA");
  const std::string saved = old ? old : "";
  setenv("BITNET_ISA", "scalar", 1);
  const KernelInfo& k = select_dense_kernel(Op::kDot, TypeId::kF16, TypeId::kF32);
  if (saved.empty())
    unsetenv("BITNET_ISA");
  else
    setenv("BITNET_ISA", saved.c_str(), 1);
  EXPECT_EQ(k.name, "dot_f16_f32_1x1__scalar");
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

TEST(DenseKernels, Q6kAtItsBoundsMatchesTheReferenceBitForBit) {
  const KernelInfo& ref = dense_reference_kernel(Op::kDot, TypeId::kQ6_K, TypeId::kQ8_K);
  std::mt19937 rng(7);
  for (const KernelInfo& k : all_kernels()) {
    if (k.op != Op::kDot || k.wtype != TypeId::kQ6_K || !kernel_available(k)) continue;
    for (int64_t nb : {1, 3, 10, 27}) {
      for (bool extreme : {false, true}) {
        std::vector<block_q6_K> w, w_next;
        std::vector<block_q8_K> x, unused;
        make_q6k(rng, nb, extreme, w, x);
        make_q6k(rng, nb, false, w_next, unused);
        float want = 0, got = 0;
        ref.dot(w.data(), 0, 1, x.data(), nb * kQK_K, &want, nullptr);
        k.dot(w.data(), 0, 1, x.data(), nb * kQK_K, &got, w_next.data());
        EXPECT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(want))
            << k.name << " nb " << nb << (extreme ? " extreme" : "");
      }
    }
  }
}

// Q4_0 and Q8_0 dots at their bounds (codes 0 / 15 / -128 / 127 everywhere, one block up to the
// largest fallback row) against a plain int64 / double sum of the dequantized products: the
// integer part is exact, and the fma accumulation stays within a few ulp of the exact sum.
TEST(DenseKernels, Q4_0AndQ8_0AtTheirBoundsAreExactPerBlock) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(0, 255);
  for (const KernelInfo& k : all_kernels()) {
    if (k.op != Op::kDot || k.atype != TypeId::kQ8_0 || !kernel_available(k)) continue;
    const KernelInfo& ref = dense_reference_kernel(Op::kDot, k.wtype, k.atype);
    for (int64_t nb : {1, 10, 27, 80}) {
      for (int pattern = 0; pattern < 3; ++pattern) {
        std::vector<uint8_t> w(static_cast<size_t>(nb) * 34);  // room for either block size
        std::vector<block_q8_0> x(static_cast<size_t>(nb));
        const size_t wb = k.wtype == TypeId::kQ4_0 ? sizeof(block_q4_0) : sizeof(block_q8_0);
        double exact = 0;
        for (int64_t b = 0; b < nb; ++b) {
          uint8_t* blk = w.data() + b * wb;
          const fp16_t dw = fp32_to_fp16(0.5f + 0.01f * static_cast<float>(byte(rng)));
          std::memcpy(blk, &dw, 2);
          x[b].d = fp32_to_fp16(0.25f + 0.01f * static_cast<float>(byte(rng)));
          int64_t isum = 0;
          for (int i = 0; i < 32; ++i) {
            x[b].qs[i] = static_cast<int8_t>(pattern == 0   ? -128
                                             : pattern == 1 ? 127
                                                            : byte(rng) - 128);
            int wv;
            if (k.wtype == TypeId::kQ4_0) {
              const int code = pattern == 0 ? 0 : pattern == 1 ? 15 : byte(rng) % 16;
              uint8_t& q = blk[2 + i % 16];
              q = static_cast<uint8_t>(i < 16 ? (q & 0xF0) | code : (q & 0x0F) | (code << 4));
              wv = code - 8;
            } else {
              wv = pattern == 0 ? -128 : pattern == 1 ? 127 : byte(rng) - 128;
              blk[2 + i] = static_cast<uint8_t>(wv);
            }
            isum += int64_t{wv} * x[b].qs[i];
          }
          exact += double(fp16_to_fp32(dw) * fp16_to_fp32(x[b].d)) * double(isum);
        }
        float got = 0, want = 0;
        ref.dot(w.data(), 0, 1, x.data(), nb * 32, &want, nullptr);
        k.dot(w.data(), 0, 1, x.data(), nb * 32, &got, nullptr);
        EXPECT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(want))
            << k.name << " nb " << nb << " pattern " << pattern;
        EXPECT_NEAR(got, exact, 1e-5 * std::abs(exact) + 1e-3) << k.name << " nb " << nb;
      }
    }
  }
}

// The lm_head's two-row F16 dot against widened activations gives each row the F16 x F16 dot's
// bits, on every ISA (the engine mixes them for an odd last row).
TEST(DenseKernels, TwoRowF16DotEqualsTheF16DotPerRow) {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2}) {
    if (!cpu_has(isa)) continue;
    const KernelInfo& pair = select_dense_kernel_pinned(Op::kDot, TypeId::kF16, TypeId::kF32, isa);
    const KernelInfo& one = select_dense_kernel_pinned(Op::kDot, TypeId::kF16, TypeId::kF16, isa);
    for (int64_t n : {31, 32, 200, 2560}) {
      std::vector<fp16_t> w(2 * n), x16(n);
      std::vector<float> xw(n);
      for (auto& v : w) v = fp32_to_fp16(nd(rng));
      for (int64_t i = 0; i < n; ++i) {
        x16[i] = fp32_to_fp16(nd(rng));
        xw[i] = fp16_to_fp32(x16[i]);
      }
      float out[2], want[2];
      pair.dot(w.data(), n * sizeof(fp16_t), 2, xw.data(), n, out, w.data());
      one.dot(w.data(), n * sizeof(fp16_t), 2, x16.data(), n, want, nullptr);
      for (int r = 0; r < 2; ++r)
        EXPECT_EQ(std::bit_cast<uint32_t>(out[r]), std::bit_cast<uint32_t>(want[r]))
            << pair.name << " vs " << one.name << " n " << n << " row " << r;
    }
  }
}

}  // namespace
}  // namespace bitnet
