// Every registered matmul kernel against the exact scalar reference: bit-identical f32 outputs
// on small and odd shapes, misaligned inputs, guarded outputs, adversarial extremes that overflow
// int16 accumulators, and any thread count. Also checks the reference itself against an
// independent integer model built from the known trits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/threadpool.h"
#include "kernels_test_util.h"

namespace bitnet::test {
namespace {

struct Problem {
  TypeId wtype;
  TernaryWeights w;
  WeightBuffer wb;
  ActBuffer acts;
  ActCopy acts_copy;  // used when misaligned
  QuantizedActs x;

  Problem(TypeId t, int64_t M, int64_t K, int64_t N, uint32_t seed, bool misalign)
      : wtype(t), w(make_ternary(t, M, K, seed)) {
    wb = quantize_weights(t, w, misalign ? 1 : 0, misalign ? 5 : 0);
    const auto xs = make_acts(K, N, seed + 101);
    quantize_acts(t, xs.data(), K, N, K, acts, &reference_kernel(Op::kQuantAct, t));
    x = acts.view();
    if (misalign) {
      acts_copy = misaligned_copy(x, 3, 7);
      x = acts_copy.view;
    }
  }

  MatmulArgs args(float* y, int64_t stride) const {
    MatmulArgs a;
    a.wtype = wtype;
    a.w = wb.data;
    a.w_row_bytes = wb.row_bytes;
    a.w_scale = wb.tensor_scale;
    a.M = w.M;
    a.K = w.K;
    a.x = x;
    a.y = y;
    a.y_col_stride = stride;
    return a;
  }
};

// Runs k over [0, M) in two ranges split at a tile_m boundary, and the reference over [0, M).
void expect_matches_reference(const KernelInfo& k, const Problem& p) {
  const int64_t M = p.w.M, N = p.x.N;
  GuardedOutput got(M, N), want(M, N);
  const MatmulArgs a = p.args(got.y(), got.stride);
  const int64_t tiles = (M + k.tile_m - 1) / k.tile_m;
  const int64_t split = std::min<int64_t>(M, (tiles / 2) * k.tile_m);
  if (split > 0) k.matmul(a, 0, split);
  k.matmul(a, split, M);
  reference_kernel(Op::kMatmul, p.wtype).matmul(p.args(want.y(), want.stride), 0, M);
  EXPECT_TRUE(got.guards_intact()) << k.name;
  EXPECT_TRUE(outputs_identical([&](int64_t m, int64_t n) { return got.at(m, n); },
                                [&](int64_t m, int64_t n) { return want.at(m, n); }, M, N))
      << k.name << " M=" << M << " K=" << p.w.K << " N=" << N;
}

int64_t block_of(TypeId t) {
  return t == TypeId::kI2_S ? kI2sBlock : kQK_K;
}

class MatmulKernel : public ::testing::TestWithParam<std::string> {
 protected:
  const KernelInfo& k() const { return kernel_or_die(GetParam()); }
};

TEST_P(MatmulKernel, OddShapesMatchReferenceBitForBit) {
  const KernelInfo& kern = k();
  BITNET_SKIP_IF_UNAVAILABLE(kern);
  const int64_t b = block_of(kern.wtype);
  uint32_t seed = 1;
  for (int64_t K : {b, 2 * b}) {
    for (int64_t M : {1, 3, 17, 33, 129}) {
      for (int64_t N : {1, 2, 3, 4, 5, 6, 7, 8, 9, 64}) {
        if (M * N > 129 * 9 && K > b) continue;  // the largest combination once is enough
        const bool misalign = (seed % 2) == 0;
        Problem p(kern.wtype, M, K, N, seed++, misalign);
        SCOPED_TRACE("M=" + std::to_string(M) + " K=" + std::to_string(K) +
                     " N=" + std::to_string(N) + (misalign ? " misaligned" : ""));
        expect_matches_reference(kern, p);
        if (HasFailure()) return;
      }
    }
  }
}

TEST_P(MatmulKernel, BitNet2B4TShapesMatchReference) {
  const KernelInfo& kern = k();
  BITNET_SKIP_IF_UNAVAILABLE(kern);
  // M x K of the 2B4T projections: q/o (2560x2560), k/v (640x2560), gate/up (6912x2560), down.
  const int64_t shapes[][2] = {{2560, 2560}, {640, 2560}, {6912, 2560}, {2560, 6912}};
  uint32_t seed = 500;
  for (const auto& s : shapes) {
    const int64_t N = s[0] == 640 ? 3 : 1;
    Problem p(kern.wtype, s[0], s[1], N, seed++, false);
    SCOPED_TRACE("M=" + std::to_string(s[0]) + " K=" + std::to_string(s[1]));
    expect_matches_reference(kern, p);
  }
}

// Every activation of every column equal to q: Q8_K blocks with d = scale(n) (and their bsums),
// or I8_S columns with scale(n) and the given sum(n).
template <class Scale, class Sum>
ActBuffer constant_acts(TypeId wtype, int64_t K, int64_t N, int q, Scale scale, Sum sum) {
  ActBuffer acts;
  acts.resize(act_type_for(wtype), K, N);
  for (int64_t n = 0; n < N; ++n) {
    if (wtype == TypeId::kI2_S) {
      std::memset(acts.col(n), static_cast<uint8_t>(static_cast<int8_t>(q)), K);
      acts.scales()[n] = scale(n);
      acts.sums()[n] = sum(n);
      continue;
    }
    for (int64_t b = 0; b < K / kQK_K; ++b) {
      block_q8_K blk;
      blk.d = scale(n);
      std::fill(std::begin(blk.qs), std::end(blk.qs), static_cast<int8_t>(q));
      std::fill(std::begin(blk.bsums), std::end(blk.bsums), static_cast<int16_t>(16 * q));
      std::memcpy(acts.col(n) + b * sizeof blk, &blk, sizeof blk);
    }
  }
  return acts;
}

// Runs the kernel and the reference on the same input; the reference's output goes to `want`.
::testing::AssertionResult same_as_reference(const KernelInfo& kern, const WeightBuffer& wb,
                                             int64_t M, int64_t K, const ActBuffer& acts,
                                             GuardedOutput& want) {
  const int64_t N = acts.view().N;
  GuardedOutput got(M, N);
  MatmulArgs a{kern.wtype, wb.data,     wb.row_bytes, wb.tensor_scale, M,
               K,          acts.view(), got.y(),      got.stride};
  kern.matmul(a, 0, M);
  a.y = want.y();
  reference_kernel(Op::kMatmul, kern.wtype).matmul(a, 0, M);
  if (!got.guards_intact()) return ::testing::AssertionFailure() << "wrote outside the output";
  if (!outputs_identical([&](int64_t m, int64_t n) { return got.at(m, n); },
                         [&](int64_t m, int64_t n) { return want.at(m, n); }, M, N))
    return ::testing::AssertionFailure() << "differs from the reference";
  return ::testing::AssertionSuccess();
}

// All weights +1 or -1 and every activation at its extreme: sums that overflow int16 (and
// bitnet.cpp's int16 accumulation over 32 blocks) must still be exact in int32.
TEST_P(MatmulKernel, AdversarialExtremesAreExact) {
  const KernelInfo& kern = k();
  BITNET_SKIP_IF_UNAVAILABLE(kern);
  const TypeId t = kern.wtype;
  const bool i2s = t == TypeId::kI2_S;
  const int64_t M = 37, K = 6912, N = 3;
  for (int trit : {1, -1}) {
    for (int q : {127, i2s ? -128 : -127}) {
      TernaryWeights w = make_ternary(t, M, K, 77, trit);
      WeightBuffer wb = quantize_weights(t, w);
      ActBuffer acts = constant_acts(
          t, K, N, q, [&](int64_t n) { return i2s ? 0.5f + n : 0.25f * (n + 1); },
          [&](int64_t) { return static_cast<int32_t>(q * K); });
      GuardedOutput want(M, N);
      EXPECT_TRUE(same_as_reference(kern, wb, M, K, acts, want)) << "trit " << trit << " q " << q;
      // Closed form of the reference for this input (checks the reference too).
      for (int64_t n = 0; n < N; ++n) {
        float expect;
        if (i2s) {
          const int32_t isum = static_cast<int32_t>((trit + 1) * q * K);
          expect = (static_cast<float>(isum) - static_cast<float>(q * K)) / acts.scales()[n] *
                   wb.tensor_scale;
        } else {
          float acc = 0.0f;
          for (int64_t b = 0; b < K / kQK_K; ++b)
            acc = acc + static_cast<float>(256 * q * trit) * (w.scales[b] * (0.25f * (n + 1)));
          expect = acc;
        }
        EXPECT_EQ(bits_of(want.at(0, n)), bits_of(expect)) << want.at(0, n) << " vs " << expect;
      }
    }
  }
}

// Code 3 is not a trit llama.cpp or bitnet.cpp writes, but a kernel must still match the
// reference (TQ2_0: (3 - 1) * q; I2_S: 3 * q) for any bytes: with every code 3 (or a mix) and
// every activation at -128 or 127 the int16 partial sums of the maddubs and table-lookup kernels
// reach their bounds (e.g. -32768). An I2_S `sum` that is not Σq must not matter either.
TEST_P(MatmulKernel, CodeThreeAtExtremesIsExact) {
  const KernelInfo& kern = k();
  BITNET_SKIP_IF_UNAVAILABLE(kern);
  const TypeId t = kern.wtype;
  if (t != TypeId::kTQ2_0 && t != TypeId::kI2_S) GTEST_SKIP() << "2-bit codes only";
  const bool i2s = t == TypeId::kI2_S;
  const int64_t M = 19, K = 3 * kQK_K, N = 2 * kern.tile_n + 1;
  for (uint8_t pattern : {uint8_t{0xFF}, uint8_t{0xEE}, uint8_t{0x3F}}) {
    for (int q : {-128, 127}) {
      WeightBuffer wb = quantize_weights(t, make_ternary(t, M, K, 5, 1));
      uint8_t* w = wb.storage.data() + (wb.data - wb.storage.data());
      for (int64_t m = 0; m < M; ++m) {
        if (i2s) {
          std::memset(w + m * wb.row_bytes, pattern, static_cast<size_t>(K / 4));
          continue;
        }
        for (int64_t b = 0; b < K / kQK_K; ++b)
          std::memset(w + m * wb.row_bytes + b * sizeof(block_tq2_0), pattern,
                      sizeof(block_tq2_0::qs));
      }
      const ActBuffer acts = constant_acts(
          t, K, N, q, [](int64_t n) { return 0.75f + static_cast<float>(n); },
          [&](int64_t n) { return static_cast<int32_t>(q * K + n); });  // I2_S: not Σq
      GuardedOutput want(M, N);
      EXPECT_TRUE(same_as_reference(kern, wb, M, K, acts, want))
          << "pattern " << int{pattern} << " q " << q;
    }
  }
}

TEST_P(MatmulKernel, AnyThreadCountGivesIdenticalOutput) {
  const KernelInfo& kern = k();
  BITNET_SKIP_IF_UNAVAILABLE(kern);
  const int64_t M = 129 + 3 * kern.tile_m, K = 2 * block_of(kern.wtype), N = kern.tile_n + 4;
  Problem p(kern.wtype, M, K, N, 9, false);
  GuardedOutput want(M, N);
  reference_kernel(Op::kMatmul, kern.wtype).matmul(p.args(want.y(), want.stride), 0, M);
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    GuardedOutput got(M, N);
    matmul(p.args(got.y(), got.stride), &pool, &kern);
    EXPECT_TRUE(got.guards_intact()) << threads << " threads";
    EXPECT_TRUE(outputs_identical([&](int64_t m, int64_t n) { return got.at(m, n); },
                                  [&](int64_t m, int64_t n) { return want.at(m, n); }, M, N))
        << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(AllMatmulKernels, MatmulKernel,
                         ::testing::ValuesIn(kernel_names(Op::kMatmul)),
                         [](const auto& info) { return info.param; });

// The driver refuses bad arguments with a message naming the problem (never a crash).
TEST(MatmulDriver, RejectsBadArgumentsWithClearErrors) {
  Problem p(TypeId::kTQ2_0, 8, 512, 2, 3, false);
  std::vector<float> y(64);
  auto expect_error = [&](MatmulArgs a, const std::string& needle, const KernelInfo* k = nullptr) {
    try {
      matmul(a, nullptr, k);
      ADD_FAILURE() << "no error for: " << needle;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const MatmulArgs ok = p.args(y.data(), 8);
  matmul(ok);  // valid
  MatmulArgs a = ok;
  a.K = 300;
  expect_error(a, "not a positive multiple of the TQ2_0 block (256)");
  a = ok;
  a.wtype = TypeId::kF16;
  expect_error(a, "not a ternary format");
  a = ok;
  a.wtype = TypeId::kI2_S;
  expect_error(a, "activations are Q8_K but I2_S needs I8");
  a = ok;
  a.w_row_bytes = 100;
  expect_error(a, "w_row_bytes = 100");
  a = ok;
  a.w = nullptr;
  expect_error(a, "weights pointer is null");
  a = ok;
  a.y = nullptr;
  expect_error(a, "output pointer is null");
  a = ok;
  a.y_col_stride = 4;
  expect_error(a, "y_col_stride = 4 < M = 8");
  a = ok;
  a.M = 0;
  expect_error(a, "M = 0");
  expect_error(ok, "does not handle TQ2_0", &reference_kernel(Op::kMatmul, TypeId::kTQ1_0));
  expect_error(ok, "is a dequant kernel", &reference_kernel(Op::kDequant, TypeId::kTQ2_0));
}

// The reference against an independent model: integer dot products of the KNOWN trits with the
// quantized activations, then the documented epilogue. Checks the weight layouts end to end.
TEST(MatmulReference, MatchesIndependentIntegerModel) {
  for (TypeId t : {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S}) {
    const int64_t M = 19, K = 3 * kQK_K, N = 4;
    Problem p(t, M, K, N, 42, false);
    GuardedOutput got(M, N);
    reference_kernel(Op::kMatmul, t).matmul(p.args(got.y(), got.stride), 0, M);
    for (int64_t n = 0; n < N; ++n) {
      const uint8_t* col = p.x.data + n * p.x.col_bytes;
      for (int64_t m = 0; m < M; ++m) {
        const int8_t* tr = p.w.trits.data() + m * K;
        float expect;
        if (t == TypeId::kI2_S) {
          const auto* q = reinterpret_cast<const int8_t*>(col);
          int32_t isum = 0;
          for (int64_t k = 0; k < K; ++k) isum += (tr[k] + 1) * q[k];
          expect = (static_cast<float>(isum) - static_cast<float>(p.x.sum[n])) / p.x.scale[n] *
                   p.w.scales[0];
          EXPECT_EQ(p.wb.tensor_scale, p.w.scales[0]);
        } else {
          float acc = 0.0f;
          for (int64_t b = 0; b < K / kQK_K; ++b) {
            block_q8_K blk;
            std::memcpy(&blk, col + b * sizeof blk, sizeof blk);
            int32_t isum = 0;
            for (int i = 0; i < kQK_K; ++i) isum += blk.qs[i] * tr[b * kQK_K + i];
            acc = acc + static_cast<float>(isum) * (p.w.scales[m * (K / kQK_K) + b] * blk.d);
          }
          expect = acc;
        }
        ASSERT_EQ(bits_of(got.at(m, n)), bits_of(expect))
            << type_traits(static_cast<uint32_t>(t))->name << " m=" << m << " n=" << n;
      }
    }
  }
}

// And against plain float math: the quantized product approximates Σ w·x.
TEST(MatmulReference, ApproximatesFloatProduct) {
  for (TypeId t : {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S}) {
    const int64_t M = 8, K = 2560, N = 2;
    const TernaryWeights w = make_ternary(t, M, K, 5);
    const WeightBuffer wb = quantize_weights(t, w);
    const auto xs = make_acts(K, N, 6);
    ActBuffer acts;
    quantize_acts(t, xs.data(), K, N, K, acts);
    std::vector<float> y(static_cast<size_t>(M * N));
    matmul({t, wb.data, wb.row_bytes, wb.tensor_scale, M, K, acts.view(), y.data(), M});
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        double exact = 0, mag = 0;
        for (int64_t k = 0; k < K; ++k) {
          exact += static_cast<double>(w.values[m * K + k]) * xs[n * K + k];
          mag += std::fabs(static_cast<double>(w.values[m * K + k]) * xs[n * K + k]);
        }
        EXPECT_NEAR(y[n * M + m], exact, 0.01 * mag) << "m=" << m << " n=" << n;
      }
  }
}

}  // namespace
}  // namespace bitnet::test
