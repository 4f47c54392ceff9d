#include "layer_ops.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "bitnet/ops.h"

namespace bitnet::model::detail {

void rms_norm(const float* x, const float* w, int64_t n, float eps, float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] * scale) * w[i];
}

void rope_neox(float* head, int64_t n_rot, int64_t pos, float freq_base) {
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  const int64_t half = n_rot / 2;
  float theta = static_cast<float>(pos);
  for (int64_t i = 0; i < half; ++i) {
    const float c = std::cos(theta);
    const float s = std::sin(theta);
    const float x0 = head[i];
    const float x1 = head[i + half];
    head[i] = x0 * c - x1 * s;
    head[i + half] = x0 * s + x1 * c;
    theta *= theta_scale;
  }
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
