#include "linear.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "dense_dot.h"
#include "tq2_dot_ggml_x86.h"

namespace bitnet::model::detail {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void Acts::reserve(int64_t max_k, int64_t max_n) {
  f16_buf_.resize(static_cast<size_t>(max_k * max_n));
  q80_buf_.resize(static_cast<size_t>((max_k + 31) / 32 * max_n));
}

void Acts::set(const float* x, int64_t k, int64_t n) {
  if (static_cast<size_t>(k * n) > f16_buf_.size()) throw std::logic_error("Acts: not reserved");
  x_ = x;
  k_ = k;
  n_ = n;
  have_q8k_ = have_i8s_ = have_f16_ = have_q80_ = false;
}

const QuantizedActs& Acts::q8_k(ThreadPool* pool) {
  if (!have_q8k_) {
    const auto t0 = std::chrono::steady_clock::now();
    quantize_acts(TypeId::kTQ2_0, x_, k_, n_, k_, q8k_, nullptr, pool);
    q8k_view_ = q8k_.view();
    have_q8k_ = true;
    quant_seconds += seconds_since(t0);
  }
  return q8k_view_;
}

const QuantizedActs& Acts::i8_s(ThreadPool* pool) {
  if (!have_i8s_) {
    const auto t0 = std::chrono::steady_clock::now();
    quantize_acts(TypeId::kI2_S, x_, k_, n_, k_, i8s_, nullptr, pool);
    i8s_view_ = i8s_.view();
    have_i8s_ = true;
    quant_seconds += seconds_since(t0);
  }
  return i8s_view_;
}

const fp16_t* Acts::f16() {
  if (!have_f16_) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < k_ * n_; ++i) f16_buf_[i] = fp32_to_fp16(x_[i]);
    have_f16_ = true;
    quant_seconds += seconds_since(t0);
  }
  return f16_buf_.data();
}

const block_q8_0* Acts::q8_0() {
  if (!have_q80_) {
    const auto t0 = std::chrono::steady_clock::now();
    if (k_ % 32 != 0) throw std::logic_error("Q8_0 activations need K % 32 == 0");
    for (int64_t c = 0; c < n_; ++c)
      quantize_q8_0(x_ + c * k_, q80_buf_.data() + c * (k_ / 32), k_);
    have_q80_ = true;
    quant_seconds += seconds_since(t0);
  }
  return q80_buf_.data();
}

void linear(const Weight& w, Acts& a, float* y, ThreadPool& pool, bool round_f16_input,
            bool ggml_x86_tq2) {
  if (a.k() != w.cols) throw std::logic_error("linear: K mismatch for " + w.name);
  const int64_t M = w.rows, K = w.cols, N = a.n();
  const DenseKernels dk = dense_kernels();
  if (ggml_x86_tq2 && w.type == TypeId::kTQ2_0) {
    const QuantizedActs& qa = a.q8_k(&pool);
    pool.parallel_ranges(M, 16, 0, [&](int64_t m0, int64_t m1) {
      for (int64_t m = m0; m < m1; ++m)
        for (int64_t n = 0; n < N; ++n)
          y[n * M + m] = tq2_dot_ggml_x86(
              reinterpret_cast<const block_tq2_0*>(w.data + m * w.row_bytes),
              reinterpret_cast<const block_q8_K*>(qa.data + n * qa.col_bytes), K / kQK_K);
    });
    if (w.out_scale != 1.0f)
      for (int64_t i = 0; i < M * N; ++i) y[i] *= w.out_scale;
    return;
  }
  switch (w.type) {
    case TypeId::kTQ1_0:
    case TypeId::kTQ2_0:
    case TypeId::kI2_S: {
      MatmulArgs args;
      args.wtype = w.type;
      args.w = w.data;
      args.w_row_bytes = w.row_bytes;
      args.w_scale = w.tensor_scale;
      args.M = M;
      args.K = K;
      args.x = w.type == TypeId::kI2_S ? a.i8_s(&pool) : a.q8_k(&pool);
      args.y = y;
      args.y_col_stride = M;
      matmul(args, &pool);
      break;
    }
    case TypeId::kF32: {
      const float* x = a.f32();
      pool.parallel_ranges(M, 16, 0, [&](int64_t m0, int64_t m1) {
        for (int64_t m = m0; m < m1; ++m) {
          const auto* row = reinterpret_cast<const float*>(w.data + m * w.row_bytes);
          for (int64_t n = 0; n < N; ++n)
            dk.dot_f32(row, 0, 1, x + n * K, K, y + n * M + m, nullptr);
        }
      });
      break;
    }
    case TypeId::kF16: {
      const fp16_t* x = round_f16_input ? a.f16() : nullptr;
      std::vector<float> xw(static_cast<size_t>(K * N));  // exact: f16 values widened once
      for (size_t i = 0; i < xw.size(); ++i) xw[i] = x ? fp16_to_fp32(x[i]) : a.f32()[i];
      const auto row = [&](int64_t m) {
        return reinterpret_cast<const fp16_t*>(w.data + m * w.row_bytes);
      };
      pool.parallel_ranges(M, 16, 0, [&](int64_t m0, int64_t m1) {
        int64_t m = m0;
        for (; m + 2 <= m1; m += 2) {
          for (int64_t n = 0; n < N; ++n) {
            float out[2];
            dk.dot_f16_f32(row(m), w.row_bytes, 2, xw.data() + n * K, K, out,
                           n == 0 ? static_cast<const void*>(row(m + 2)) : nullptr);
            y[n * M + m] = out[0];
            y[n * M + m + 1] = out[1];
          }
        }
        for (; m < m1; ++m) {
          for (int64_t n = 0; n < N; ++n) {
            if (x) {
              dk.dot_f16(row(m), 0, 1, x + n * K, K, y + n * M + m, nullptr);
            } else {
              // The two-row kernel on one row twice: the same float order as the paired rows.
              float out[2];
              dk.dot_f16_f32(row(m), 0, 2, xw.data() + n * K, K, out, nullptr);
              y[n * M + m] = out[0];
            }
          }
        }
      });
      break;
    }
    case TypeId::kQ6_K: {
      const QuantizedActs& qa = a.q8_k(&pool);
      pool.parallel_ranges(M, 16, 0, [&](int64_t m0, int64_t m1) {
        for (int64_t m = m0; m < m1; ++m) {
          const auto* row = reinterpret_cast<const block_q6_K*>(w.data + m * w.row_bytes);
          for (int64_t n = 0; n < N; ++n)
            dk.dot_q6k(row, w.row_bytes, 1, qa.data + n * qa.col_bytes, K, y + n * M + m,
                       n == 0 ? static_cast<const void*>(w.data + (m + 1) * w.row_bytes) : nullptr);
        }
      });
      break;
    }
    case TypeId::kQ8_0: {
      const block_q8_0* x = a.q8_0();
      pool.parallel_ranges(M, 16, 0, [&](int64_t m0, int64_t m1) {
        for (int64_t m = m0; m < m1; ++m) {
          const auto* row = reinterpret_cast<const block_q8_0*>(w.data + m * w.row_bytes);
          for (int64_t n = 0; n < N; ++n)
            dk.dot_q8_0(row, w.row_bytes, 1, x + n * (K / 32), K, y + n * M + m, nullptr);
        }
      });
      break;
    }
    case TypeId::kQ4_0: {
      const block_q8_0* x = a.q8_0();
      pool.parallel_ranges(M, 16, 0, [&](int64_t m0, int64_t m1) {
        for (int64_t m = m0; m < m1; ++m) {
          const auto* row = w.data + m * w.row_bytes;
          for (int64_t n = 0; n < N; ++n)
            dk.dot_q4_0(row, w.row_bytes, 1, x + n * (K / 32), K, y + n * M + m,
                        n == 0 ? static_cast<const void*>(row + w.row_bytes) : nullptr);
        }
      });
      break;
    }
    default:
      throw std::logic_error("linear: unsupported weight type for " + w.name);
  }
  if (w.out_scale != 1.0f)
    for (int64_t i = 0; i < M * N; ++i) y[i] *= w.out_scale;
}

}  // namespace bitnet::model::detail
