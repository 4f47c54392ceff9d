#include "test_decode_ref.h"

#include "bitnet/fixtures/model_view.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "bitnet/formats/blocks.h"

namespace bitnet::testref {
namespace {

float f16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return fp16_to_fp32(h);
}

// TQ2_0: element 128c + 32n + m is in qs[32c + m] at bits 2n..2n+1; value (code - 1) * d.
void tq2_0(const uint8_t* b, double* y) {
  const double d = f16(b + 64);
  for (int c = 0; c < 2; ++c)
    for (int n = 0; n < 4; ++n)
      for (int m = 0; m < 32; ++m)
        y[128 * c + 32 * n + m] = (((b[32 * c + m] >> (2 * n)) & 3) - 1) * d;
}

// TQ1_0: trit n (most significant first) of byte q is ((uint8)(q * 3^n) * 3) >> 8.
int trit(uint8_t q, int n) {
  static const int kPow3[5] = {1, 3, 9, 27, 81};
  const uint8_t shifted = static_cast<uint8_t>(q * kPow3[n]);
  return (shifted * 3) >> 8;
}

void tq1_0(const uint8_t* b, double* y) {
  const uint8_t* qs = b;
  const uint8_t* qh = b + 48;
  const double d = f16(b + 52);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m) y[m + 32 * n] = (trit(qs[m], n) - 1) * d;
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m) y[160 + m + 16 * n] = (trit(qs[32 + m], n) - 1) * d;
  for (int n = 0; n < 4; ++n)
    for (int j = 0; j < 4; ++j) y[240 + j + 4 * n] = (trit(qh[j], n) - 1) * d;
}

// Q6_K: per 128 elements, ql[64] low nibbles, qh[32] two high bits each, 8 int8 scales per 16.
void q6_k(const uint8_t* b, double* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const auto* sc = reinterpret_cast<const int8_t*>(b + 192);
  const double d = f16(b + 208);
  for (int half = 0; half < 2; ++half) {
    for (int l = 0; l < 32; ++l) {
      const int q[4] = {((ql[l] & 15) | ((qh[l] & 3) << 4)) - 32,
                        ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32,
                        ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32,
                        ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32};
      for (int g = 0; g < 4; ++g) y[l + 32 * g] = d * sc[(l + 32 * g) / 16] * q[g];
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

double nearest_even(double x) {
  return std::nearbyint(x);
}  // default rounding: half to even

// Rounds x (one activation column) the way the matmul for weight type t quantizes it.
void emulate_acts(TypeId t, std::vector<double>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  switch (t) {
    case TypeId::kTQ1_0:
    case TypeId::kTQ2_0:
    case TypeId::kQ6_K:  // Q8_K: iscale = -127 / (signed value of largest magnitude)
      for (int64_t b = 0; b < n; b += 256) {
        double amax = 0.0, mx = 0.0;
        for (int64_t i = b; i < b + 256; ++i)
          if (std::fabs(x[i]) > amax) amax = std::fabs(x[i]), mx = x[i];
        if (amax == 0.0) continue;
        const float iscale = static_cast<float>(-127.0 / mx);
        const float d = 1.0f / iscale;
        for (int64_t i = b; i < b + 256; ++i)
          x[i] = std::min(127.0, nearest_even(iscale * x[i])) * d;
      }
      break;
    case TypeId::kI2_S: {  // I8_S: one scale per token, s = 127 / max(|x|, 1e-5)
      double amax = 0.0;
      for (double v : x) amax = std::max(amax, std::fabs(v));
      const float s = static_cast<float>(127.0 / std::max(amax, 1e-5));
      for (double& v : x) v = std::clamp(std::round(v * s), -128.0, 127.0) / s;
      break;
    }
    case TypeId::kF16:
      for (double& v : x) v = fp16_to_fp32(fp32_to_fp16(static_cast<float>(v)));
      break;
    case TypeId::kQ8_0:
      for (int64_t b = 0; b < n; b += 32) {
        double amax = 0.0;
        for (int64_t i = b; i < b + 32; ++i) amax = std::max(amax, std::fabs(x[i]));
        const float d = static_cast<float>(amax / 127.0);
        const double dr = fp16_to_fp32(fp32_to_fp16(d));
        for (int64_t i = b; i < b + 32; ++i)
          x[i] = d == 0.0f ? 0.0 : std::round(x[i] * (1.0f / d)) * dr;
      }
      break;
    default:
      break;
  }
}

double round_f16(double v) {
  return fp16_to_fp32(fp32_to_fp16(static_cast<float>(v)));
}

using Rows = std::vector<std::vector<double>>;

std::vector<double> matvec(const RefMatrix& m, std::vector<double> x, const RefOptions& o) {
  if (o.emulate_acts) emulate_acts(m.type, x);
  std::vector<double> y(static_cast<size_t>(m.rows), 0.0);
  for (int64_t r = 0; r < m.rows; ++r) {
    const double* w = &m.w[static_cast<size_t>(r * m.cols)];
    double s = 0.0;
    for (int64_t c = 0; c < m.cols; ++c) s += w[c] * x[c];
    y[r] = s;
  }
  return y;
}

std::vector<double> rms_norm(const std::vector<double>& x, const std::vector<double>& w,
                             double eps) {
  double ss = 0.0;
  for (double v : x) ss += v * v;
  const double scale = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps);
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * w[i];
  return y;
}

void rope(double* head, int64_t n_rot, int64_t pos, double base) {
  for (int64_t i = 0; i < n_rot / 2; ++i) {
    const double theta = static_cast<double>(pos) * std::pow(base, -2.0 * i / n_rot);
    const double x0 = head[i], x1 = head[i + n_rot / 2];
    head[i] = x0 * std::cos(theta) - x1 * std::sin(theta);
    head[i + n_rot / 2] = x0 * std::sin(theta) + x1 * std::cos(theta);
  }
}

std::vector<double> vec(const gguf::File& f, const std::string& name) {
  const auto& t = f.tensor(name);
  return dequantize(static_cast<TypeId>(t.type), f.data(t).data(), t.nelements());
}

RefMatrix matrix(const gguf::File& f, const std::string& base) {
  const auto& t = f.tensor(base + ".weight");
  RefMatrix m;
  m.type = static_cast<TypeId>(t.type);
  m.cols = t.ne.at(0);
  m.rows = t.ne.at(1);
  m.w = dequantize(m.type, f.data(t).data(), t.nelements());
  if (const auto* s = f.find_tensor(base + ".scale")) {
    const double scale = vec(f, s->name).at(0);
    for (double& v : m.w) v *= scale;
  }
  return m;
}

}  // namespace

std::vector<double> dequantize(TypeId type, const uint8_t* src, int64_t n) {
  std::vector<double> y(static_cast<size_t>(n));
  switch (type) {
    case TypeId::kF32:
      for (int64_t i = 0; i < n; ++i) {
        float v;
        std::memcpy(&v, src + 4 * i, 4);
        y[i] = v;
      }
      break;
    case TypeId::kF16:
      for (int64_t i = 0; i < n; ++i) y[i] = f16(src + 2 * i);
      break;
    case TypeId::kQ8_0:
      for (int64_t b = 0; b < n / 32; ++b) {
        const double d = f16(src + 34 * b);
        for (int i = 0; i < 32; ++i) y[32 * b + i] = d * static_cast<int8_t>(src[34 * b + 2 + i]);
      }
      break;
    case TypeId::kQ6_K:
      for (int64_t b = 0; b < n / 256; ++b) q6_k(src + 210 * b, &y[256 * b]);
      break;
    case TypeId::kTQ2_0:
      for (int64_t b = 0; b < n / 256; ++b) tq2_0(src + 66 * b, &y[256 * b]);
      break;
    case TypeId::kTQ1_0:
      for (int64_t b = 0; b < n / 256; ++b) tq1_0(src + 54 * b, &y[256 * b]);
      break;
    case TypeId::kI2_S: {  // 128-weight blocks of 32 bytes; byte j: w[j], w[32+j], w[64+j], w[96+j]
      float scale;
      std::memcpy(&scale, src + n / 4, 4);
      for (int64_t b = 0; b < n / 128; ++b)
        for (int j = 0; j < 32; ++j)
          for (int g = 0; g < 4; ++g) {
            const int code = (src[32 * b + j] >> (6 - 2 * g)) & 3;
            y[128 * b + 32 * g + j] = (code - 1) * static_cast<double>(scale);
          }
      break;
    }
    default:
      throw std::invalid_argument("reference dequantize: unsupported type " +
                                  std::to_string(static_cast<uint32_t>(type)));
  }
  return y;
}

RefModel::RefModel(const gguf::File& f) : hp_(bitnet::fixtures::read_hparams(f)) {
  embd_ = matrix(f, "token_embd");
  hp_.n_vocab = embd_.rows;
  output_norm_ = vec(f, "output_norm.weight");
  for (int64_t il = 0; il < hp_.n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    Layer L;
    L.attn_norm = vec(f, b + "attn_norm.weight");
    L.attn_sub_norm = vec(f, b + "attn_sub_norm.weight");
    L.ffn_norm = vec(f, b + "ffn_norm.weight");
    L.ffn_sub_norm = vec(f, b + "ffn_sub_norm.weight");
    L.wq = matrix(f, b + "attn_q");
    L.wk = matrix(f, b + "attn_k");
    L.wv = matrix(f, b + "attn_v");
    L.wo = matrix(f, b + "attn_output");
    L.gate = matrix(f, b + "ffn_gate");
    L.up = matrix(f, b + "ffn_up");
    L.down = matrix(f, b + "ffn_down");
    layers_.push_back(std::move(L));
  }
}

Rows RefModel::forward(std::span<const int32_t> tokens, const RefOptions& o) const {
  const int64_t n = static_cast<int64_t>(tokens.size());
  const int64_t E = hp_.n_embd, hd = hp_.head_dim, group = hp_.n_head / hp_.n_head_kv;
  Rows x(n);
  for (int64_t i = 0; i < n; ++i)
    x[i].assign(embd_.w.begin() + tokens[i] * E, embd_.w.begin() + (tokens[i] + 1) * E);

  for (const Layer& L : layers_) {
    Rows q(n), k(n), v(n), att(n);
    for (int64_t i = 0; i < n; ++i) {
      const auto a = rms_norm(x[i], L.attn_norm, hp_.rms_eps);
      q[i] = matvec(L.wq, a, o);
      k[i] = matvec(L.wk, a, o);
      v[i] = matvec(L.wv, a, o);
      for (int64_t h = 0; h < hp_.n_head; ++h)
        rope(&q[i][h * hd], hp_.n_rot, i, hp_.rope_freq_base);
      for (int64_t h = 0; h < hp_.n_head_kv; ++h)
        rope(&k[i][h * hd], hp_.n_rot, i, hp_.rope_freq_base);
      if (o.f16_kv)
        for (auto* r : {&q[i], &k[i], &v[i]})
          for (double& e : *r) e = round_f16(e);
    }
    for (int64_t i = 0; i < n; ++i) {
      att[i].assign(static_cast<size_t>(hp_.q_dim()), 0.0);
      for (int64_t h = 0; h < hp_.n_head; ++h) {
        const int64_t kh = h / group;
        std::vector<double> s(static_cast<size_t>(i + 1));
        for (int64_t t = 0; t <= i; ++t) {
          double dot = 0.0;
          for (int64_t d = 0; d < hd; ++d) dot += q[i][h * hd + d] * k[t][kh * hd + d];
          s[t] = dot / std::sqrt(static_cast<double>(hd));
        }
        const double mx = *std::max_element(s.begin(), s.end());
        double sum = 0.0;
        for (double& e : s) sum += (e = std::exp(e - mx));
        for (int64_t t = 0; t <= i; ++t) {
          const double p = o.f16_softmax_weights ? round_f16(s[t] / sum) : s[t] / sum;
          for (int64_t d = 0; d < hd; ++d) att[i][h * hd + d] += p * v[t][kh * hd + d];
        }
      }
    }
    for (int64_t i = 0; i < n; ++i) {
      const auto out = matvec(L.wo, rms_norm(att[i], L.attn_sub_norm, hp_.rms_eps), o);
      for (int64_t e = 0; e < E; ++e) x[i][e] += out[e];
      const auto f = rms_norm(x[i], L.ffn_norm, hp_.rms_eps);
      auto g = matvec(L.gate, f, o);
      const auto u = matvec(L.up, f, o);
      for (size_t j = 0; j < g.size(); ++j) {
        const double a = hp_.ffn_act == model::FfnAct::kSilu ? g[j] / (1.0 + std::exp(-g[j]))
                                                             : std::pow(std::max(g[j], 0.0), 2);
        g[j] = a * u[j];
      }
      const auto d = matvec(L.down, rms_norm(g, L.ffn_sub_norm, hp_.rms_eps), o);
      for (int64_t e = 0; e < E; ++e) x[i][e] += d[e];
    }
  }
  Rows logits(n);
  for (int64_t i = 0; i < n; ++i)
    logits[i] = matvec(embd_, rms_norm(x[i], output_norm_, hp_.rms_eps), o);
  return logits;
}

}  // namespace bitnet::testref
