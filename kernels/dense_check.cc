#include "bitnet/kernels/dense_check.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/registry.h"

namespace bitnet {
namespace {

std::string shape(const char* what, int64_t rows, int64_t n) {
  return std::string(what) + " rows=" + std::to_string(rows) + " n=" + std::to_string(n);
}

// Rows of random bytes: every f16/f32 pattern is a finite value in the generators below, and the
// block formats get random codes and scales (their contract holds for any bytes).
struct Rows {
  std::vector<uint8_t> bytes;
  size_t row_bytes = 0;
};

float normal(std::mt19937& rng) {
  return std::normal_distribution<float>(0.0f, 1.0f)(rng);
}

// `rows` rows of n values of type t, with 8 bytes of padding after each row (a stride that is not
// the packed size).
Rows make_rows(TypeId t, int64_t rows, int64_t n, std::mt19937& rng) {
  Rows r;
  std::uniform_int_distribution<int> byte(0, 255);
  switch (t) {
    case TypeId::kF32:
      r.row_bytes = n * sizeof(float) + 8;
      break;
    case TypeId::kF16:
      r.row_bytes = n * sizeof(fp16_t) + 8;
      break;
    case TypeId::kQ6_K:
      r.row_bytes = n / kQK_K * sizeof(block_q6_K);
      break;
    case TypeId::kQ8_K:
      r.row_bytes = n / kQK_K * sizeof(block_q8_K);
      break;
    case TypeId::kQ8_0:
      r.row_bytes = n / 32 * sizeof(block_q8_0);
      break;
    case TypeId::kQ4_0:
      r.row_bytes = n / 32 * sizeof(block_q4_0);
      break;
    default:
      throw std::invalid_argument("dense check: no generator for this type");
  }
  r.bytes.resize(r.row_bytes * rows);
  for (int64_t i = 0; i < rows; ++i) {
    uint8_t* p = r.bytes.data() + i * r.row_bytes;
    if (t == TypeId::kF32) {
      for (int64_t e = 0; e < n; ++e) {
        const float v = normal(rng);
        std::memcpy(p + 4 * e, &v, 4);
      }
    } else if (t == TypeId::kF16) {
      for (int64_t e = 0; e < n; ++e) {
        const fp16_t v = fp32_to_fp16(normal(rng));
        std::memcpy(p + 2 * e, &v, 2);
      }
    } else {
      for (size_t b = 0; b < r.row_bytes; ++b) p[b] = static_cast<uint8_t>(byte(rng));
      // Finite, positive block scales (random bytes could make Inf/NaN scales, whose products
      // compare unequal to themselves).
      if (t == TypeId::kQ6_K)
        for (auto* blk = reinterpret_cast<block_q6_K*>(p);
             blk < reinterpret_cast<block_q6_K*>(p + r.row_bytes); ++blk)
          blk->d = fp32_to_fp16(0.001f * static_cast<float>(1 + byte(rng)));
      if (t == TypeId::kQ4_0)
        for (auto* blk = reinterpret_cast<block_q4_0*>(p);
             blk < reinterpret_cast<block_q4_0*>(p + r.row_bytes); ++blk)
          blk->d = fp32_to_fp16(0.01f * static_cast<float>(1 + byte(rng)));
      if (t == TypeId::kQ8_0)
        for (auto* blk = reinterpret_cast<block_q8_0*>(p);
             blk < reinterpret_cast<block_q8_0*>(p + r.row_bytes); ++blk)
          blk->d = fp32_to_fp16(0.01f * static_cast<float>(1 + byte(rng)));
      if (t == TypeId::kQ8_K)
        for (auto* blk = reinterpret_cast<block_q8_K*>(p);
             blk < reinterpret_cast<block_q8_K*>(p + r.row_bytes); ++blk) {
          blk->d = 0.01f * static_cast<float>(1 + byte(rng));
          for (int j = 0; j < kQK_K / 16; ++j) {
            int s = 0;
            for (int e = 0; e < 16; ++e) s += blk->qs[16 * j + e];
            blk->bsums[j] = static_cast<int16_t>(s);
          }
        }
    }
  }
  return r;
}

std::vector<float> as_f32(TypeId t, const uint8_t* p, int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (t == TypeId::kF32) {
      std::memcpy(&v[i], p + 4 * i, 4);
    } else {
      fp16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      v[i] = fp16_to_fp32(h);
    }
  }
  return v;
}

bool same_bits(float a, float b) {
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

void add(std::vector<std::string>& lines, bool& ok, bool good, const std::string& what,
         const std::string& why) {
  lines.push_back(good ? "ok   " + what : "FAIL " + what + ": " + why);
  ok &= good;
}

// Exact for the block formats on every ISA; for f32/f16, the scalar kernels sum in element order
// and the others in dot_in_avx2_order. Multi-row calls give each row its one-row bits, and a
// `next` pointer (prefetch only) changes nothing.
void check_dot(const KernelInfo& k, std::vector<std::string>& lines, bool& ok) {
  const KernelInfo& ref = dense_reference_kernel(Op::kDot, k.wtype, k.atype);
  const bool block_format =
      k.wtype == TypeId::kQ6_K || k.wtype == TypeId::kQ8_0 || k.wtype == TypeId::kQ4_0;
  // 32-element blocks: also one block and the row lengths of llama-quantize's Q4_0 fallback.
  std::vector<int64_t> ns = !block_format ? std::vector<int64_t>{1, 8, 31, 32, 33, 200, 2560}
                            : k.wtype == TypeId::kQ6_K ? std::vector<int64_t>{256, 768, 2560}
                                                       : std::vector<int64_t>{32, 320, 864, 2560};
  std::mt19937 rng(17);
  for (int64_t n : ns) {
    const int64_t rows = 5;
    const Rows w = make_rows(k.wtype, rows, n, rng);
    const Rows x = make_rows(k.atype, 1, n, rng);
    const Rows next = make_rows(k.wtype, rows, n, rng);
    std::vector<float> got(rows), one(rows), want(rows);
    k.dot(w.bytes.data(), w.row_bytes, rows, x.bytes.data(), n, got.data(), next.bytes.data());
    for (int64_t r = 0; r < rows; ++r) {
      const uint8_t* wr = w.bytes.data() + r * w.row_bytes;
      k.dot(wr, w.row_bytes, 1, x.bytes.data(), n, &one[r], nullptr);
      if (block_format || k.isa == Isa::kScalar) {
        ref.dot(wr, w.row_bytes, 1, x.bytes.data(), n, &want[r], nullptr);
      } else {
        const auto wf = as_f32(k.wtype, wr, n), xf = as_f32(k.atype, x.bytes.data(), n);
        want[r] = dot_in_avx2_order(wf.data(), xf.data(), n);
      }
    }
    bool good = true;
    std::string why;
    for (int64_t r = 0; r < rows && good; ++r) {
      if (!same_bits(got[r], one[r])) {
        good = false;
        why = "row " + std::to_string(r) + " differs from a one-row call";
      } else if (!same_bits(got[r], want[r])) {
        good = false;
        why = "row " + std::to_string(r) + ": " + std::to_string(got[r]) + " vs contract " +
              std::to_string(want[r]);
      }
    }
    // The scalar references themselves against a double-precision sum (f32/f16 only: the block
    // formats' integer part is exact by construction and shared with the SIMD check above).
    if (good && k.isa == Isa::kScalar && !block_format) {
      for (int64_t r = 0; r < rows && good; ++r) {
        const auto wf = as_f32(k.wtype, w.bytes.data() + r * w.row_bytes, n);
        const auto xf = as_f32(k.atype, x.bytes.data(), n);
        double exact = 0, mag = 0;
        for (int64_t i = 0; i < n; ++i) {
          exact += static_cast<double>(wf[i]) * xf[i];
          mag += std::fabs(static_cast<double>(wf[i]) * xf[i]);
        }
        if (std::fabs(got[r] - exact) > 1e-5 * mag + 1e-30) {
          good = false;
          why = "far from the exact sum";
        }
      }
    }
    add(lines, ok, good, shape("dot", rows, n), why);
  }
}

// out += p[t] * row t in row order: scalar a*v + out, otherwise a fused multiply-add for the
// elements below the last multiple of 8 and a*v + out above.
void check_axpy(const KernelInfo& k, std::vector<std::string>& lines, bool& ok) {
  std::mt19937 rng(19);
  for (int64_t n : {1, 8, 72, 128, 136, 200}) {
    const int64_t rows = 7;
    const Rows v = make_rows(TypeId::kF32, rows, n, rng);
    std::vector<float> p(rows), got(static_cast<size_t>(n)), want(static_cast<size_t>(n));
    for (float& f : p) f = normal(rng);
    for (int64_t i = 0; i < n; ++i) got[i] = want[i] = normal(rng);
    k.axpy(p.data(), v.bytes.data(), v.row_bytes, rows, got.data(), n);
    const int64_t fused = k.isa == Isa::kScalar ? 0 : n / 8 * 8;
    for (int64_t t = 0; t < rows; ++t) {
      const auto vt = as_f32(TypeId::kF32, v.bytes.data() + t * v.row_bytes, n);
      for (int64_t i = 0; i < n; ++i) {
        if (i < fused) {
          want[i] = std::fma(p[t], vt[i], want[i]);
        } else {
          const float prod = p[t] * vt[i];
          want[i] = prod + want[i];
        }
      }
    }
    int64_t bad = 0;
    for (int64_t i = 0; i < n; ++i) bad += !same_bits(got[i], want[i]);
    add(lines, ok, bad == 0, shape("axpy", rows, n),
        std::to_string(bad) + " outputs differ from the contract");
  }
}

// Exact on every ISA: widen over every f16 pattern, round over a sweep with the halfway cases,
// the f16 range limits and src == dst.
void check_convert(const KernelInfo& k, std::vector<std::string>& lines, bool& ok) {
  const KernelInfo& ref = dense_reference_kernel(k.op, k.wtype, k.atype);
  std::vector<float> got, want;
  if (k.op == Op::kWiden) {
    std::vector<fp16_t> all(65536);
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<fp16_t>(i);
    got.resize(all.size());
    want.resize(all.size());
    k.convert(all.data(), got.data(), static_cast<int64_t>(all.size()));
    ref.convert(all.data(), want.data(), static_cast<int64_t>(all.size()));
  } else {
    std::mt19937 rng(23);
    std::vector<float> src = {0.1f,  1.0f / 3.0f,    65519.0f,       65520.0f,
                              1e-8f, -2.5e-3f,       0.99951172f,    1e5f,
                              7.0f,  6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f};
    for (int i = 0; i < 1000; ++i) src.push_back(normal(rng) * 100.0f);
    for (int i = 0; i < 1000; ++i)  // near the halfway points between f16 neighbours
      src.push_back(fp16_to_fp32(static_cast<fp16_t>(i * 61 % 0x7bff)) * (1.0f + 1.0f / 2048.0f));
    want.resize(src.size());
    ref.convert(src.data(), want.data(), static_cast<int64_t>(src.size()));
    got = src;
    k.convert(got.data(), got.data(), static_cast<int64_t>(got.size()));  // in place
  }
  // A NaN stays a NaN (F16C quiets signalling ones; the reference keeps their payload bits).
  int64_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    bad += !same_bits(got[i], want[i]) && !(std::isnan(got[i]) && std::isnan(want[i]));
  add(lines, ok, bad == 0, shape(k.op == Op::kWiden ? "widen" : "round", 1, got.size()),
      std::to_string(bad) + " values differ from the reference");
}

// Within 4e-7 relative of libm's expf per element (both 0 or denormal below e^-87.3), the sum
// within 1e-6.
void check_exp_sum(const KernelInfo& k, std::vector<std::string>& lines, bool& ok) {
  const KernelInfo& ref = dense_reference_kernel(Op::kExpSum, k.wtype, k.atype);
  std::vector<float> s;
  for (float v = -100.0f; v <= 0.0f; v += 0.0137f) s.push_back(v);
  s.push_back(-87.5f);
  s.push_back(0.0f);
  std::vector<float> a = s, b = s;
  const double sa = k.exp_sum(a.data(), static_cast<int64_t>(a.size()), 0.0f);
  const double sb = ref.exp_sum(b.data(), static_cast<int64_t>(b.size()), 0.0f);
  int64_t bad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < -87.3366f)
      bad += !(a[i] <= 1.2e-38f);
    else
      bad += !(std::fabs(a[i] - b[i]) <= 4e-7 * b[i]);
  }
  const bool sum_ok = std::fabs(sa - sb) <= 1e-6 * sb;
  add(lines, ok, bad == 0 && sum_ok, shape("exp_sum", 1, s.size()),
      std::to_string(bad) + " values beyond 4e-7 relative" + (sum_ok ? "" : ", sum off"));
}

// One order on every ISA (kernels.inc, "attn_qk"/"attn_pv"): scores equal dot_in_avx2_order of
// the widened rows times the scale, and the weighted sums a fused multiply-add per row in row
// order, bit for bit, for head counts around the kernels' register groups and row counts around
// their blocks, with padded row strides.
void check_attn(const KernelInfo& k, std::vector<std::string>& lines, bool& ok) {
  std::mt19937 rng(29);
  for (int64_t n : {16, 48, 64, 128}) {
    for (int64_t rows : {1, 7, 33, 100}) {
      for (int64_t heads : {1, 3, 4, 5}) {
        const Rows r = make_rows(TypeId::kF16, rows, n, rng);
        std::vector<float> x(static_cast<size_t>(heads * n));
        for (float& f : x) f = normal(rng);
        std::vector<std::vector<float>> row(static_cast<size_t>(rows));
        for (int64_t t = 0; t < rows; ++t)
          row[t] = as_f32(TypeId::kF16, r.bytes.data() + t * r.row_bytes, n);
        const int64_t stride = rows + 3;  // scores / weights per head, not packed
        int64_t bad = 0;
        if (k.op == Op::kAttnQk) {
          const float scale = 1.0f / std::sqrt(static_cast<float>(n));
          std::vector<float> got(static_cast<size_t>(heads * stride), -1.0f);
          k.attn_qk(x.data(), heads, r.bytes.data(), r.row_bytes, rows, n, scale, got.data(),
                    stride);
          for (int64_t j = 0; j < heads; ++j)
            for (int64_t t = 0; t < rows; ++t)
              bad += !same_bits(got[j * stride + t],
                                dot_in_avx2_order(row[t].data(), x.data() + j * n, n) * scale);
        } else {
          std::vector<float> w(static_cast<size_t>(heads * stride));
          for (float& f : w) f = std::fabs(normal(rng)) * 0.1f;
          const int64_t out_stride = n + 5;
          std::vector<float> got(static_cast<size_t>(heads * out_stride));
          for (float& f : got) f = normal(rng);  // continues what out holds
          std::vector<float> want = got;
          k.attn_pv(w.data(), stride, heads, r.bytes.data(), r.row_bytes, rows, n, got.data(),
                    out_stride);
          for (int64_t j = 0; j < heads; ++j)
            for (int64_t t = 0; t < rows; ++t)
              for (int64_t d = 0; d < n; ++d) {
                float& o = want[j * out_stride + d];
                o = std::fma(w[j * stride + t], row[t][d], o);
              }
          for (size_t i = 0; i < got.size(); ++i) bad += !same_bits(got[i], want[i]);
        }
        add(lines, ok, bad == 0,
            shape(k.op == Op::kAttnQk ? "attn_qk" : "attn_pv", rows, n) +
                " heads=" + std::to_string(heads),
            std::to_string(bad) + " outputs differ from the contract");
      }
    }
  }
}

}  // namespace

float dot_in_avx2_order(const float* w, const float* x, int64_t n) {
  float a[4][8] = {};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 8; ++l) a[j][l] = std::fma(w[i + 8 * j + l], x[i + 8 * j + l], a[j][l]);
  float v[8];
  for (int l = 0; l < 8; ++l) v[l] = (a[0][l] + a[1][l]) + (a[2][l] + a[3][l]);
  float h[4];
  for (int l = 0; l < 4; ++l) h[l] = v[l] + v[l + 4];
  float s = (h[0] + h[2]) + (h[1] + h[3]);
  for (; i < n; ++i) {
    const float prod = w[i] * x[i];
    s = s + prod;
  }
  return s;
}

bool check_dense_kernel(const KernelInfo& k, std::vector<std::string>& lines) {
  bool ok = true;
  switch (k.op) {
    case Op::kDot:
      check_dot(k, lines, ok);
      break;
    case Op::kAxpy:
      check_axpy(k, lines, ok);
      break;
    case Op::kWiden:
    case Op::kRound:
      check_convert(k, lines, ok);
      break;
    case Op::kExpSum:
      check_exp_sum(k, lines, ok);
      break;
    case Op::kAttnQk:
    case Op::kAttnPv:
      check_attn(k, lines, ok);
      break;
    default:
      throw std::invalid_argument(std::string(k.name) + " is not a dense kernel");
  }
  return ok;
}

}  // namespace bitnet
