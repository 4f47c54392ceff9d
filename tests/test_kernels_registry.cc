// The registry's promises: names follow the grammar and agree with the fields, every
// (op, format) has a scalar reference, selection prefers the highest ISA and honours the
// BITNET_ISA pin, and a pin this CPU cannot run fails with a clear message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <regex>
#include <set>

#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"

namespace bitnet {
namespace {

std::string lower_type(TypeId t) {
  switch (t) {
    case TypeId::kTQ1_0:
      return "tq1_0";
    case TypeId::kTQ2_0:
      return "tq2_0";
    case TypeId::kI2_S:
      return "i2s";
    case TypeId::kQ8_K:
      return "q8k";
    case TypeId::kI8:
      return "i8s";
    case TypeId::kF32:
      return "f32";
    case TypeId::kF16:
      return "f16";
    case TypeId::kQ4_0:
      return "q4_0";
    case TypeId::kQ6_K:
      return "q6k";
    case TypeId::kQ8_0:
      return "q8_0";
    default:
      return "?";
  }
}

// Sets or clears BITNET_ISA for one scope.
class ScopedIsaEnv {
 public:
  explicit ScopedIsaEnv(const char* v) {
    if (const char* old = std::getenv("BITNET_ISA")) old_ = old;
    if (v)
      setenv("BITNET_ISA", v, 1);
    else
      unsetenv("BITNET_ISA");
  }
  ~ScopedIsaEnv() {
    if (old_.empty())
      unsetenv("BITNET_ISA");
    else
      setenv("BITNET_ISA", old_.c_str(), 1);
  }

 private:
  std::string old_;
};

TEST(Registry, NamesFollowTheGrammarAndMatchTheFields) {
  const std::regex grammar(
      R"(^(matmul|dequant|quant_act|dot|axpy|widen|round|exp_sum|attn_qk|attn_pv)_([a-z0-9]+(?:_0)?)_([a-z0-9]+(?:_0)?)_(\d+)x(\d+)__([a-z0-9]+)(_[a-z0-9]+)?$)");
  std::set<std::string_view> names;
  for (const KernelInfo& k : all_kernels()) {
    const std::string name(k.name);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(name, m, grammar)) << name;
    EXPECT_EQ(m[1].str(), op_name(k.op)) << name;
    EXPECT_EQ(std::stoi(m[4].str()), k.tile_m) << name;
    EXPECT_EQ(std::stoi(m[5].str()), k.tile_n) << name;
    EXPECT_EQ(m[6].str(), isa_name(k.isa)) << name;
    if (k.op == Op::kQuantAct) {
      EXPECT_EQ(m[2].str(), lower_type(k.atype)) << name;
      EXPECT_EQ(m[3].str(), "f32") << name;
    } else {
      EXPECT_EQ(m[2].str(), lower_type(k.wtype)) << name;
      EXPECT_EQ(m[3].str(), lower_type(k.atype)) << name;
    }
    EXPECT_EQ(k.matmul != nullptr, k.op == Op::kMatmul) << name;
    EXPECT_EQ(k.dequant != nullptr, k.op == Op::kDequant) << name;
    EXPECT_EQ(k.quant_act != nullptr, k.op == Op::kQuantAct) << name;
    EXPECT_EQ(k.dot != nullptr, k.op == Op::kDot) << name;
    EXPECT_EQ(k.axpy != nullptr, k.op == Op::kAxpy) << name;
    EXPECT_EQ(k.convert != nullptr, k.op == Op::kWiden || k.op == Op::kRound) << name;
    EXPECT_EQ(k.exp_sum != nullptr, k.op == Op::kExpSum) << name;
    EXPECT_EQ(k.attn_qk != nullptr, k.op == Op::kAttnQk) << name;
    EXPECT_EQ(k.attn_pv != nullptr, k.op == Op::kAttnPv) << name;
    EXPECT_EQ(is_dense_op(k.op), k.op >= Op::kDot) << name;
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate " << name;
    EXPECT_EQ(find_kernel(k.name), &k);
  }
  EXPECT_EQ(find_kernel("matmul_nope_1x1__scalar"), nullptr);
}

TEST(Registry, EveryOpAndFormatHasAScalarReference) {
  for (TypeId t : {TypeId::kTQ1_0, TypeId::kTQ2_0, TypeId::kI2_S}) {
    for (Op op : {Op::kMatmul, Op::kDequant, Op::kQuantAct}) {
      const KernelInfo& r = reference_kernel(op, t);
      EXPECT_EQ(r.isa, Isa::kScalar);
      EXPECT_EQ(r.op, op);
      EXPECT_TRUE(kernel_available(r));
    }
  }
  EXPECT_EQ(act_type_for(TypeId::kTQ1_0), TypeId::kQ8_K);
  EXPECT_EQ(act_type_for(TypeId::kI2_S), TypeId::kI8);
  EXPECT_THROW(act_type_for(TypeId::kF16), std::invalid_argument);
  EXPECT_THROW(reference_kernel(Op::kMatmul, TypeId::kQ4_0), std::invalid_argument);
}

// Only the ISA tags of the build's architecture are names of ISAs.
TEST(Registry, IsaNamesRoundTrip) {
  for (int i = 0; i < static_cast<int>(Isa::kCount); ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa_of_this_arch(isa)) {
      EXPECT_EQ(isa_from_name(isa_name(isa)), isa);
    } else {
      EXPECT_FALSE(isa_from_name(isa_name(isa))) << isa_name(isa);
    }
  }
#if defined(__x86_64__)
  EXPECT_EQ(isa_from_name("AVX2"), Isa::kAvx2);
  EXPECT_FALSE(isa_from_name("neon"));
  EXPECT_EQ(valid_isa_names(), "scalar|sse41|avx2|avx512|avx512vnni");
#elif defined(__aarch64__)
  EXPECT_EQ(isa_from_name("DotProd"), Isa::kDotprod);
  EXPECT_FALSE(isa_from_name("avx2"));
  EXPECT_EQ(valid_isa_names(), "scalar|neon|dotprod|i8mm");
#endif
}

// The static order (registry.h): no available candidate ranks before the chosen one.
TEST(Dispatch, StaticOrderPicksTheFirstRankedCandidate) {
  for (TypeId t : {TypeId::kTQ1_0, TypeId::kTQ2_0, TypeId::kI2_S}) {
    for (Op op : {Op::kMatmul, Op::kDequant, Op::kQuantAct}) {
      for (int64_t n : {1, 4, 32, 64}) {
        const KernelInfo& k = select_kernel_pinned(op, t, n, std::nullopt);
        EXPECT_TRUE(kernel_available(k)) << k.name;
        for (const KernelInfo& other : all_kernels()) {
          const bool same = other.op == op && (op == Op::kQuantAct ? other.atype == act_type_for(t)
                                                                   : other.wtype == t);
          if (same && kernel_available(other)) {
            EXPECT_FALSE(static_order_before(other, k, n, std::nullopt))
                << other.name << " ranks before " << k.name << " at n=" << n;
          }
        }
      }
    }
  }
}

#if defined(__x86_64__)
TEST(Dispatch, StaticOrderRanksTileFitThenHandWrittenThenTileM) {
  const KernelInfo* lut = find_kernel("matmul_tq2_0_q8k_16x16__avx2_lut");
  const KernelInfo* vnni = find_kernel("matmul_tq2_0_q8k_4x1__avx512vnni");
  const KernelInfo* x512 = find_kernel("matmul_tq2_0_q8k_1x1__avx512_xsimd");
  const KernelInfo* a4 = find_kernel("matmul_tq2_0_q8k_4x1__avx2");
  const KernelInfo* a1 = find_kernel("matmul_tq2_0_q8k_1x1__avx2");
  ASSERT_TRUE(lut && vnni && x512 && a4 && a1);
  // A 16-column tile fits 32 columns: it ranks before a one-column kernel of any ISA.
  EXPECT_TRUE(static_order_before(*lut, *vnni, 32, std::nullopt));
  EXPECT_FALSE(static_order_before(*lut, *vnni, 8, std::nullopt));
  // The portable tier ranks after hand-written kernels, whatever its ISA.
  EXPECT_TRUE(static_order_before(*a4, *x512, 1, std::nullopt));
  // The one-row baseline ranks after the register-tiled kernel of the same ISA.
  EXPECT_TRUE(static_order_before(*a4, *a1, 1, std::nullopt));
  // Under a pin, kernels of exactly the pinned ISA come first.
  EXPECT_TRUE(static_order_before(*a4, *vnni, 1, Isa::kAvx2));
}
#elif defined(__aarch64__)
TEST(Dispatch, StaticOrderRanksTileMThenThePinnedIsa) {
  const KernelInfo* d4 = find_kernel("matmul_tq2_0_q8k_4x1__dotprod");
  const KernelInfo* d1 = find_kernel("matmul_tq2_0_q8k_1x1__dotprod");
  const KernelInfo* n4 = find_kernel("matmul_tq2_0_q8k_4x1__neon");
  ASSERT_TRUE(d4 && d1 && n4);
  // The one-row baseline ranks after the register-tiled kernel of the same ISA.
  EXPECT_TRUE(static_order_before(*d4, *d1, 1, std::nullopt));
  // Under a pin, kernels of exactly the pinned ISA come first.
  EXPECT_TRUE(static_order_before(*n4, *d4, 1, Isa::kNeon));
  EXPECT_TRUE(static_order_before(*d4, *n4, 1, Isa::kDotprod));
}
#endif

TEST(Dispatch, IsaTagsAreFeatureSets) {
  const uint32_t avx2 = isa_features(Isa::kAvx2), avx512 = isa_features(Isa::kAvx512),
                 vnni = isa_features(Isa::kAvx512Vnni);
  EXPECT_EQ(isa_features(Isa::kScalar), 0u);
  EXPECT_EQ(avx2 & ~avx512, 0u);  // avx512 files also use AVX2
  EXPECT_EQ(avx512 & ~vnni, 0u);  // avx512vnni adds VNNI to avx512
  EXPECT_NE(vnni & kFeatAvx512Vnni, 0u);
  EXPECT_EQ(vnni & kFeatAvxVnni, 0u);  // AVX-VNNI is a separate feature, not implied
  EXPECT_EQ(feature_names(avx512), "sse41+avx2+avx512");
  for (int i = 0; i < static_cast<int>(Isa::kCount); ++i) {
    const Isa isa = static_cast<Isa>(i);
    EXPECT_EQ(cpu_has(isa), (isa_features(isa) & ~cpu_feature_bits()) == 0) << isa_name(isa);
  }
}

TEST(Dispatch, PinScalarSelectsScalarKernels) {
  ScopedIsaEnv env("scalar");
  EXPECT_EQ(isa_pin(), Isa::kScalar);
  EXPECT_EQ(active_isa_pin(), Isa::kScalar);
  for (TypeId t : {TypeId::kTQ1_0, TypeId::kTQ2_0, TypeId::kI2_S})
    for (Op op : {Op::kMatmul, Op::kDequant, Op::kQuantAct})
      EXPECT_EQ(select_kernel(op, t, 1).isa, Isa::kScalar);
}

// "Above" in feature-set terms: the kernel needs a feature the pinned ISA lacks.
TEST(Dispatch, PinNeverSelectsAboveThePinnedIsa) {
  for (int i = 0; i < static_cast<int>(Isa::kCount); ++i) {
    const Isa pin = static_cast<Isa>(i);
    if (!cpu_has(pin)) continue;
    ScopedIsaEnv env(std::string(isa_name(pin)).c_str());
    for (TypeId t : {TypeId::kTQ1_0, TypeId::kTQ2_0, TypeId::kI2_S}) {
      const KernelInfo& k = select_kernel(Op::kMatmul, t, 1);
      EXPECT_EQ(isa_features(k.isa) & ~isa_features(pin), 0u) << k.name;
      // If a kernel exists at exactly the pinned ISA, that ISA is used.
      for (const KernelInfo& o : all_kernels())
        if (o.op == Op::kMatmul && o.wtype == t && o.isa == pin) {
          EXPECT_EQ(k.isa, pin) << k.name;
        }
    }
  }
}

TEST(Dispatch, GemvPrefersTileN1AndGemmTheWidestFittingTile) {
  for (TypeId t : {TypeId::kTQ1_0, TypeId::kTQ2_0, TypeId::kI2_S}) {
    const KernelInfo& g = select_kernel_pinned(Op::kMatmul, t, 1, std::nullopt);
    bool has_gemv = false;
    for (const KernelInfo& o : all_kernels())
      if (o.op == Op::kMatmul && o.wtype == t && o.isa == g.isa && o.tile_n == 1) has_gemv = true;
    if (has_gemv) {
      EXPECT_EQ(g.tile_n, 1) << g.name;
    }
    const KernelInfo& m = select_kernel_pinned(Op::kMatmul, t, 64, std::nullopt);
    for (const KernelInfo& o : all_kernels())
      if (o.op == Op::kMatmul && o.wtype == t && o.isa == m.isa && o.tile_n <= 64) {
        EXPECT_GE(m.tile_n, o.tile_n) << m.name << " vs " << o.name;
      }
  }
}

TEST(Dispatch, UnknownPinListsValidValues) {
  ScopedIsaEnv env("avx3000");
  try {
    select_kernel(Op::kMatmul, TypeId::kTQ2_0, 1);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("avx3000"), std::string::npos) << msg;
    EXPECT_NE(msg.find(valid_isa_names()), std::string::npos) << msg;
  }
}

TEST(Dispatch, PinningAnIsaTheCpuLacksIsAClearError) {
  // The most capable ISA of this architecture the CPU lacks (x86-64: avx512vnni first).
  std::optional<Isa> lacking;
  for (int i = static_cast<int>(Isa::kCount) - 1; i > 0 && !lacking; --i)
    if (isa_of_this_arch(static_cast<Isa>(i)) && !cpu_has(static_cast<Isa>(i)))
      lacking = static_cast<Isa>(i);
  if (!lacking) GTEST_SKIP() << "this CPU runs every ISA of its architecture; nothing to refuse";
  const std::string name(isa_name(*lacking));
  ScopedIsaEnv env(name.c_str());
  try {
    select_kernel(Op::kMatmul, TypeId::kTQ2_0, 1);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
    EXPECT_NE(msg.find(cpu_features_string()), std::string::npos) << msg;
  }
}

TEST(Cpu, FeaturesAreConsistent) {
  EXPECT_TRUE(cpu_has(Isa::kScalar));
  // Whatever runs an ISA tag runs every tag whose features are a subset of it.
  for (int i = 0; i < static_cast<int>(Isa::kCount); ++i)
    for (int j = 0; j < static_cast<int>(Isa::kCount); ++j) {
      const Isa a = static_cast<Isa>(i), b = static_cast<Isa>(j);
      if (cpu_has(a) && (isa_features(b) & ~isa_features(a)) == 0) {
        EXPECT_TRUE(cpu_has(b)) << isa_name(a) << " implies " << isa_name(b);
      }
    }
  if (cpu_has(Isa::kAvx512Vnni)) {
    EXPECT_TRUE(cpu_has(Isa::kAvx512));
  }
  if (cpu_has(Isa::kAvx512)) {
    EXPECT_TRUE(cpu_has(Isa::kAvx2));
  }
  EXPECT_FALSE(cpu_model_name().empty());
  EXPECT_FALSE(cpu_features_string().empty());
  EXPECT_EQ(best_cpu_isa() >= Isa::kScalar, true);
  EXPECT_TRUE(cpu_has(best_cpu_isa()));
}

}  // namespace
}  // namespace bitnet
