// Shared helpers for the kernel tests: deterministic random weights/activations in every
// format, guarded output buffers, and bit-exact float comparison with a readable report.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bitnet/formats/blocks.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/kernel.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::test {

// Ternary weights as floats: trit * s with one scale per 256-block (TQ) or per tensor (I2_S),
// so quantization is lossless and the trits are known exactly.
struct TernaryWeights {
  int64_t M = 0, K = 0;
  std::vector<int8_t> trits;  // M*K, row-major
  std::vector<float> scales;  // per 256-block of each row (TQ) or a single one (I2_S)
  std::vector<float> values;  // trit * scale
};

inline TernaryWeights make_ternary(TypeId wtype, int64_t M, int64_t K, uint32_t seed,
                                   int fixed_trit = 2 /* 2 = random */) {
  TernaryWeights w;
  w.M = M;
  w.K = K;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> scale(0.01f, 0.2f);
  w.trits.resize(static_cast<size_t>(M * K));
  // splitmix64, 8 trits per draw: the 2B4T shapes need ~40M trits and mt19937 is slow.
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1, r = 0;
  for (size_t i = 0; i < w.trits.size(); ++i) {
    if (fixed_trit != 2) {
      w.trits[i] = static_cast<int8_t>(fixed_trit);
      continue;
    }
    if (i % 8 == 0) {
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      r = z ^ (z >> 31);
    }
    w.trits[i] = static_cast<int8_t>(static_cast<int>((r >> (8 * (i % 8))) & 0xff) % 3 - 1);
  }
  const bool per_tensor = wtype == TypeId::kI2_S;
  const int64_t nscales = per_tensor ? 1 : M * K / kQK_K;
  for (int64_t i = 0; i < nscales; ++i)  // fp16-representable, so TQ's fp16 d is exact
    w.scales.push_back(fp16_to_fp32(fp32_to_fp16(scale(rng))));
  w.values.resize(w.trits.size());
  for (size_t i = 0; i < w.trits.size(); ++i) {
    const float s = per_tensor ? w.scales[0] : w.scales[i / kQK_K];
    w.values[i] = static_cast<float>(w.trits[i]) * s;
  }
  // Ensure each TQ block has a nonzero trit, so d = max|x| = its scale exactly.
  if (!per_tensor && fixed_trit == 2)
    for (int64_t b = 0; b < nscales; ++b) {
      w.trits[static_cast<size_t>(b * kQK_K)] = 1;
      w.values[static_cast<size_t>(b * kQK_K)] = w.scales[static_cast<size_t>(b)];
    }
  return w;
}

// Quantized weight buffer with optional byte offset (misalignment) and row padding.
struct WeightBuffer {
  std::vector<uint8_t> storage;
  const uint8_t* data = nullptr;
  size_t row_bytes = 0;
  float tensor_scale = 1.0f;
};

inline WeightBuffer quantize_weights(TypeId wtype, const TernaryWeights& w, size_t offset = 0,
                                     size_t row_pad = 0) {
  WeightBuffer b;
  const size_t row = weight_row_bytes(wtype, w.K);
  b.row_bytes = row + row_pad;
  std::vector<uint8_t> packed(quantized_bytes(wtype, w.M * w.K));
  quantize(wtype, w.values.data(), packed.data(), w.M * w.K);
  if (wtype == TypeId::kI2_S) b.tensor_scale = i2s_tensor_scale(packed.data(), w.M * w.K);
  b.storage.assign(offset + static_cast<size_t>(w.M) * b.row_bytes + 64, 0xEE);
  for (int64_t m = 0; m < w.M; ++m)
    std::memcpy(b.storage.data() + offset + m * b.row_bytes, packed.data() + m * row, row);
  b.data = b.storage.data() + offset;
  return b;
}

// Activations: gaussian-ish floats, column-major N columns of K.
inline std::vector<float> make_acts(int64_t K, int64_t N, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> x(static_cast<size_t>(K * N));
  for (auto& v : x) v = d(rng);
  return x;
}

// A copy of quantized activations at a misaligned address with padded columns.
struct ActCopy {
  std::vector<uint8_t> storage;
  std::vector<float> scale;
  std::vector<int32_t> sum;
  QuantizedActs view;
};

inline ActCopy misaligned_copy(const QuantizedActs& src, size_t offset, size_t col_pad) {
  ActCopy c;
  const size_t raw = src.type == TypeId::kQ8_K
                         ? static_cast<size_t>(src.K / kQK_K) * sizeof(block_q8_K)
                         : static_cast<size_t>(src.K);
  const size_t col = raw + col_pad;
  c.storage.assign(offset + col * static_cast<size_t>(src.N) + 64, 0xCD);
  for (int64_t n = 0; n < src.N; ++n)
    std::memcpy(c.storage.data() + offset + n * col, src.data + n * src.col_bytes, raw);
  c.scale.assign(src.scale, src.scale + src.N);
  c.sum.assign(src.sum, src.sum + src.N);
  c.view = src;
  c.view.data = c.storage.data() + offset;
  c.view.col_bytes = col;
  c.view.scale = c.scale.data();
  c.view.sum = c.sum.data();
  return c;
}

// Output with NaN-patterned guard zones before, after and between columns (y_col_stride > M).
struct GuardedOutput {
  static constexpr int64_t kGuard = 16;
  static constexpr uint32_t kPattern = 0x7fc0dead;  // a NaN nobody computes
  int64_t M = 0, N = 0, stride = 0;
  std::vector<float> buf;
  GuardedOutput(int64_t m, int64_t n, int64_t gap = 3) : M(m), N(n), stride(m + gap) {
    buf.resize(static_cast<size_t>(2 * kGuard + stride * N));
    for (auto& f : buf) std::memcpy(&f, &kPattern, 4);
  }
  float* y() { return buf.data() + kGuard; }
  float at(int64_t m, int64_t n) const { return buf[static_cast<size_t>(kGuard + n * stride + m)]; }
  // Every float outside the M x N outputs still holds the pattern.
  ::testing::AssertionResult guards_intact() const {
    for (size_t i = 0; i < buf.size(); ++i) {
      const int64_t rel = static_cast<int64_t>(i) - kGuard;
      const bool inside = rel >= 0 && rel < stride * N && rel % stride < M;
      uint32_t bits;
      std::memcpy(&bits, &buf[i], 4);
      if (!inside && bits != kPattern)
        return ::testing::AssertionFailure() << "guard float " << rel << " was overwritten";
    }
    return ::testing::AssertionSuccess();
  }
};

inline uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Bit-exact comparison of two M x N outputs; reports the first mismatch and the count.
template <typename A, typename B>
::testing::AssertionResult outputs_identical(const A& got, const B& want, int64_t M, int64_t N) {
  int64_t bad = 0;
  std::string first;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      const float g = got(m, n), w = want(m, n);
      if (bits_of(g) != bits_of(w)) {
        if (bad++ == 0)
          first = "(m=" + std::to_string(m) + ", n=" + std::to_string(n) + ") got " +
                  std::to_string(g) + " want " + std::to_string(w) + " (ulp distance " +
                  std::to_string(std::abs(static_cast<int64_t>(bits_of(g)) -
                                          static_cast<int64_t>(bits_of(w)))) +
                  ")";
      }
    }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << M * N << " outputs differ; first " << first;
}

// Kernels of one op, for INSTANTIATE_TEST_SUITE_P.
inline std::vector<std::string> kernel_names(Op op) {
  std::vector<std::string> names;
  for (const KernelInfo& k : all_kernels())
    if (k.op == op) names.emplace_back(k.name);
  return names;
}

inline const KernelInfo& kernel_or_die(const std::string& name) {
  const KernelInfo* k = find_kernel(name);
  if (k == nullptr) throw std::runtime_error("no kernel " + name);
  return *k;
}

#define BITNET_SKIP_IF_UNAVAILABLE(k)                                                    \
  if (!::bitnet::kernel_available(k))                                                    \
  GTEST_SKIP() << "CPU lacks " << ::bitnet::isa_name((k).isa) << " (kernel " << (k).name \
               << " not run)"

}  // namespace bitnet::test
