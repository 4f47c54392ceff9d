#include "bitnet/peers/peer_verify.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::peers {
namespace {

// splitmix64: the probes' own small generator (independent of the suite's streams).
struct Gen {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int trit() { return static_cast<int>(next() % 3) - 1; }
  float uniform() { return static_cast<float>(next() >> 40) * (2.0f / 16777216.0f) - 1.0f; }
};

std::string tname(TypeId t) {
  return std::string(type_traits(static_cast<uint32_t>(t))->name);
}

std::string prefix(const PeerFormat& f, const char* check) {
  return std::string(check) + " of " + tname(f.wtype()) + " (" + f.kernel_name() + "): ";
}

int64_t block_of(TypeId w) {
  return w == TypeId::kI2_S ? kI2sBlock : kQK_K;
}

constexpr int64_t kProbeRows = 3;

// Trits and scales the probe weights are made of: K = 4 blocks (so a row spans several).
struct Probe {
  int64_t M = kProbeRows, K;
  std::vector<int> trits;     // M*K
  std::vector<float> scales;  // TQ: per block (M*K/256); I2_S: one
  std::vector<float> w;       // trits * scales
};

Probe make_probe(TypeId wtype, uint64_t seed, bool unit_scales) {
  Probe p;
  p.K = 4 * block_of(wtype);
  Gen g{seed};
  p.trits.resize(static_cast<size_t>(p.M * p.K));
  for (int& t : p.trits) t = g.trit();
  const int64_t per = wtype == TypeId::kI2_S ? p.M * p.K : kQK_K;
  p.scales.resize(static_cast<size_t>(p.M * p.K / per));
  for (size_t b = 0; b < p.scales.size(); ++b) {
    // k/1024 with k <= 1024 is exact in fp16 (11 significant bits).
    p.scales[b] = unit_scales ? 1.0f : static_cast<float>(1 + g.next() % 1024) / 1024.0f;
    p.trits[b * per] = (g.next() & 1) ? 1 : -1;  // a nonzero in every block: max|x| = scale
  }
  p.w.resize(p.trits.size());
  for (size_t i = 0; i < p.w.size(); ++i)
    p.w[i] = static_cast<float>(p.trits[i]) * p.scales[i / static_cast<size_t>(per)];
  return p;
}

std::vector<uint8_t> pack_probe(const PeerFormat& f, const Probe& p) {
  std::vector<uint8_t> packed(f.tensor_bytes(p.M, p.K) + 64);
  std::memset(packed.data(), 0xA5, packed.size());  // guard bytes after the tensor
  f.pack(p.w.data(), p.M, p.K, packed.data());
  return packed;
}

std::string check_guard(const PeerFormat& f, const Probe& p, const std::vector<uint8_t>& packed) {
  for (size_t i = f.tensor_bytes(p.M, p.K); i < packed.size(); ++i)
    if (packed[i] != 0xA5)
      return prefix(f, "packing") + "the quantizer wrote past the " +
             std::to_string(f.tensor_bytes(p.M, p.K)) + " bytes of the tensor (byte " +
             std::to_string(i) + ")";
  return {};
}

// Our scalar decode of the probe's packed rows to floats (I2_S: with the trailer's scale).
std::vector<float> decode(const PeerFormat& f, const Probe& p, const uint8_t* packed,
                          float* tensor_scale) {
  std::vector<float> out(static_cast<size_t>(p.M * p.K));
  if (f.wtype() == TypeId::kI2_S) {
    std::memcpy(tensor_scale, packed + p.M * p.K / 4, sizeof(float));
    dequantize_row(TypeId::kI2_S, packed, out.data(), p.M * p.K, *tensor_scale);
  } else {
    *tensor_scale = 1.0f;
    dequantize_row(f.wtype(), packed, out.data(), p.M * p.K);
  }
  return out;
}

size_t row_bytes_of(const PeerFormat& f, int64_t K) {
  return f.wtype() == TypeId::kI2_S ? static_cast<size_t>(K / 4) : f.tensor_bytes(1, K);
}

size_t act_col_bytes(TypeId atype, int64_t K) {
  return atype == TypeId::kQ8_K ? static_cast<size_t>(K / kQK_K) * sizeof(block_q8_K)
                                : static_cast<size_t>(K);
}

}  // namespace

std::string check_packing(const PeerFormat& f, uint64_t seed) {
  if (!f.error().empty()) return f.error();
  try {
    const Probe p = make_probe(f.wtype(), seed, false);
    const std::vector<uint8_t> packed = pack_probe(f, p);
    if (std::string e = check_guard(f, p, packed); !e.empty()) return e;
    float ts = 0.0f;
    const std::vector<float> got = decode(f, p, packed.data(), &ts);
    if (f.wtype() == TypeId::kI2_S &&
        std::bit_cast<uint32_t>(ts) != std::bit_cast<uint32_t>(p.scales[0]))
      return prefix(f, "packing") + "tensor scale " + std::to_string(ts) + ", expected " +
             std::to_string(p.scales[0]);
    for (size_t i = 0; i < got.size(); ++i) {
      const float scale = f.wtype() == TypeId::kI2_S ? ts : p.scales[i / kQK_K];
      const float want = static_cast<float>(p.trits[i]) * scale;
      if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want)) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "element %zu (row %zu) decodes to %.9g, expected trit %d x scale %.9g", i,
                      i / static_cast<size_t>(p.K), got[i], p.trits[i], scale);
        return prefix(f, "packing") + buf;
      }
    }
  } catch (const std::exception& e) {
    return prefix(f, "packing") + e.what();
  }
  return {};
}

std::string check_act_quant(const PeerFormat& f, uint64_t seed) {
  if (!f.error().empty()) return f.error();
  try {
    const KernelInfo& ref = reference_kernel(Op::kQuantAct, f.wtype());
    const int64_t K = 2 * kQK_K + (f.wtype() == TypeId::kI2_S ? kI2sBlock : 0);
    const size_t bytes = act_col_bytes(f.atype(), K);
    Gen g{seed ^ 0x5eed};
    for (int col = 0; col < 4; ++col) {
      std::vector<float> x(static_cast<size_t>(K));
      const float amp = col == 3 ? 1e-3f : 1.0f;  // a small-magnitude column too
      for (float& v : x) v = amp * g.uniform();
      std::vector<uint8_t> a(bytes + 64, 0xA5), b(bytes, 0);
      float sa = 0, sb = 0;
      int32_t ua = 0, ub = 0;
      f.quantize_act(x.data(), K, a.data(), &sa, &ua);
      ref.quant_act(x.data(), K, b.data(), &sb, &ub);
      for (size_t i = bytes; i < a.size(); ++i)
        if (a[i] != 0xA5)
          return prefix(f, "activation quantization") + "wrote past the " + std::to_string(bytes) +
                 " bytes of a column";
      for (size_t i = 0; i < bytes; ++i)
        if (a[i] != b[i])
          return prefix(f, "activation quantization") + "column " + std::to_string(col) + " byte " +
                 std::to_string(i) + " is " + std::to_string(a[i]) + ", our reference wrote " +
                 std::to_string(b[i]);
      if (f.atype() == TypeId::kI8 &&
          (std::bit_cast<uint32_t>(sa) != std::bit_cast<uint32_t>(sb) || ua != ub))
        return prefix(f, "activation quantization") + "column " + std::to_string(col) +
               " scale/sum " + std::to_string(sa) + "/" + std::to_string(ua) + ", our reference " +
               std::to_string(sb) + "/" + std::to_string(ub);
    }
  } catch (const std::exception& e) {
    return prefix(f, "activation quantization") + e.what();
  }
  return {};
}

std::string check_integer_dot(const PeerFormat& f, uint64_t seed) {
  if (!f.error().empty()) return f.error();
  try {
    const bool i2s = f.wtype() == TypeId::kI2_S;
    const Probe p = make_probe(f.wtype(), seed ^ 0xd07, !i2s);
    const std::vector<uint8_t> packed = pack_probe(f, p);
    const size_t wrow = row_bytes_of(f, p.K);
    const size_t cbytes = act_col_bytes(f.atype(), p.K);
    Gen g{seed ^ 0xac75};
    const int64_t N = 3;
    std::vector<uint8_t> acts(cbytes * N);
    std::vector<std::vector<int>> q(N, std::vector<int>(static_cast<size_t>(p.K)));
    for (int64_t n = 0; n < N; ++n) {
      uint8_t* col = acts.data() + n * cbytes;
      if (i2s) {  // the peer's own quantizer (its raw dot ignores scale and sum)
        std::vector<float> x(static_cast<size_t>(p.K));
        for (float& v : x) v = g.uniform();
        float s;
        int32_t sum;
        f.quantize_act(x.data(), p.K, col, &s, &sum);
        for (int64_t k = 0; k < p.K; ++k) q[n][k] = static_cast<int8_t>(col[k]);
      } else {  // Q8_K blocks with d = 1 and consistent bsums, extremes included
        for (int64_t b = 0; b < p.K / kQK_K; ++b) {
          block_q8_K blk{};
          blk.d = 1.0f;
          for (int i = 0; i < kQK_K; ++i) {
            int v = static_cast<int>(g.next() % 255) - 127;
            if (n == 2) v = (i & 1) ? 127 : -127;
            blk.qs[i] = static_cast<int8_t>(v);
            q[n][b * kQK_K + i] = v;
            blk.bsums[i / 16] = static_cast<int16_t>(blk.bsums[i / 16] + v);
          }
          std::memcpy(col + b * sizeof(block_q8_K), &blk, sizeof blk);
        }
      }
    }
    for (int64_t m = 0; m < p.M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t want = 0;
        for (int64_t k = 0; k < p.K; ++k)  // I2_S's raw dot uses the codes trit + 1
          want += static_cast<int64_t>(p.trits[m * p.K + k] + (i2s ? 1 : 0)) * q[n][k];
        const float got = f.raw_dot(packed.data() + m * wrow, acts.data() + n * cbytes, p.K);
        if (got != static_cast<float>(want))
          return prefix(f, "integer dot") + "row " + std::to_string(m) + " column " +
                 std::to_string(n) + ": vec_dot gave " + std::to_string(got) + ", exact " +
                 std::to_string(want);
      }
  } catch (const std::exception& e) {
    return prefix(f, "integer dot") + e.what();
  }
  return {};
}

std::string check_format(const PeerFormat& f, uint64_t seed) {
  for (auto check : {check_packing, check_act_quant, check_integer_dot})
    if (std::string e = check(f, seed); !e.empty()) return e;
  return {};
}

double tq_dot_tolerance(TypeId wtype, const uint8_t* w_row, const uint8_t* x_col, int64_t K) {
  if (wtype == TypeId::kI2_S) return 0.0;
  const size_t wb = wtype == TypeId::kTQ2_0 ? sizeof(block_tq2_0) : sizeof(block_tq1_0);
  const int64_t nb = K / kQK_K;
  double total = 0.0;
  for (int64_t b = 0; b < nb; ++b) {
    fp16_t wd;
    std::memcpy(&wd, w_row + b * wb + wb - sizeof(fp16_t), sizeof wd);  // d is stored last
    block_q8_K x;
    std::memcpy(&x, x_col + b * sizeof(block_q8_K), sizeof x);
    double qabs = 0.0;
    for (int i = 0; i < kQK_K; ++i) qabs += std::abs(static_cast<int>(x.qs[i]));
    total += std::abs(static_cast<double>(fp16_to_fp32(wd)) * static_cast<double>(x.d)) * qabs;
  }
  return static_cast<double>(2 * nb + 8) * std::ldexp(1.0, -24) * total;
}

std::string compare_matmul(const PeerFormat& f, const MatmulArgs& a, std::span<const float> got,
                           std::span<const float> want, std::span<const int64_t> rows,
                           std::span<const int64_t> cols) {
  if (got.size() != want.size() || got.size() != rows.size() || got.size() != cols.size())
    return prefix(f, "matmul") + "value counts differ";
  for (size_t i = 0; i < got.size(); ++i) {
    const uint8_t* w = a.w + rows[i] * static_cast<int64_t>(a.w_row_bytes);
    const uint8_t* x = a.x.data + cols[i] * static_cast<int64_t>(a.x.col_bytes);
    const double tol = tq_dot_tolerance(f.wtype(), w, x, a.K);
    const double diff = std::abs(static_cast<double>(got[i]) - static_cast<double>(want[i]));
    const bool ok = f.wtype() == TypeId::kI2_S
                        ? std::bit_cast<uint32_t>(got[i]) == std::bit_cast<uint32_t>(want[i])
                        : diff <= tol;
    if (!ok) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "row %lld column %lld: %.9g, our scalar reference %.9g (|diff| %.3g, "
                    "allowed %.3g)",
                    static_cast<long long>(rows[i]), static_cast<long long>(cols[i]), got[i],
                    want[i], diff, tol);
      return prefix(f, "matmul") + buf;
    }
  }
  return {};
}

}  // namespace bitnet::peers
