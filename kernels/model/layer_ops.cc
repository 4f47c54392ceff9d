#include "layer_ops.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "bitnet/kernels/driver.h"

namespace bitnet::model::detail {

void rms_norm(const float* x, const float* w, int64_t n, float eps, float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] * scale) * w[i];
}

void rope_angles(int64_t n_rot, int64_t pos, float freq_base, float* cs, float* sn) {
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  for (int64_t i = 0; i < n_rot / 2; ++i) {
    cs[i] = std::cos(theta);
    sn[i] = std::sin(theta);
    theta *= theta_scale;
  }
}

void rope_neox_apply(float* head, int64_t n_rot, const float* cs, const float* sn) {
  const int64_t half = n_rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    const float x0 = head[i];
    const float x1 = head[i + half];
    head[i] = x0 * cs[i] - x1 * sn[i];
    head[i + half] = x0 * sn[i] + x1 * cs[i];
  }
}

void rope_neox_apply_fma(float* head, int64_t n_rot, const float* cs, const float* sn) {
  const int64_t half = n_rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    const float x0 = head[i];
    const float x1 = head[i + half];
    head[i] = std::fma(x0, cs[i], -(x1 * sn[i]));
    head[i + half] = std::fma(x0, sn[i], x1 * cs[i]);
  }
}

void rope_norm_apply(float* head, int64_t n_rot, const float* cs, const float* sn) {
  for (int64_t i = 0; i < n_rot / 2; ++i) {
    const float x0 = head[2 * i];
    const float x1 = head[2 * i + 1];
    head[2 * i] = x0 * cs[i] - x1 * sn[i];
    head[2 * i + 1] = x0 * sn[i] + x1 * cs[i];
  }
}

void rope_norm_apply_fma(float* head, int64_t n_rot, const float* cs, const float* sn) {
  for (int64_t i = 0; i < n_rot / 2; ++i) {
    const float x0 = head[2 * i];
    const float x1 = head[2 * i + 1];
    head[2 * i] = std::fma(x0, cs[i], -(x1 * sn[i]));
    head[2 * i + 1] = std::fma(x0, sn[i], x1 * cs[i]);
  }
}

void rope_neox(float* head, int64_t n_rot, int64_t pos, float freq_base) {
  std::vector<float> cs(static_cast<size_t>(n_rot / 2)), sn(cs.size());
  rope_angles(n_rot, pos, freq_base, cs.data(), sn.data());
  rope_neox_apply(head, n_rot, cs.data(), sn.data());
}

void ffn_activation(FfnAct act, const float* gate, const float* up, float* h, int64_t n) {
  if (act == FfnAct::kSilu) {
    for (int64_t i = 0; i < n; ++i) h[i] = (gate[i] / (1.0f + std::exp(-gate[i]))) * up[i];
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const float r = gate[i] > 0.0f ? gate[i] : 0.0f;
      h[i] = (r * r) * up[i];
    }
  }
}

void embedding_row(const Weight& embd, int64_t token, float* out) {
  dequantize_row(embd.type, embd.data + static_cast<size_t>(token) * embd.row_bytes, out, embd.cols,
                 embd.tensor_scale);
}

}  // namespace bitnet::model::detail
