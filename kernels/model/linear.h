// y = W·x for every weight type the engine meets: ternary formats through ops.h (quantize_acts +
// matmul: the registry's fastest kernel for this CPU, or the BITNET_ISA pin, rows split over the
// pool at multiples of the kernel's tile), dense formats (F32/F16 projections, the F16/Q6_K/Q8_0
// lm_head) through dense_dot.h. Either way the result does not depend on the thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bitnet/engine/model.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/kernel.h"
#include "bitnet/kernels/threadpool.h"

namespace bitnet::model::detail {

// The input of one or more matmuls: N columns of K floats, plus the quantized forms the weights
// need, built on first use after set() (so Q, K and V share one quantization, as in ggml).
class Acts {
 public:
  void reserve(int64_t max_k, int64_t max_n);
  void set(const float* x, int64_t k, int64_t n);  // x[n*k + i]; x must outlive the use
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  const float* f32() const { return x_; }
  // Quantized on first use (columns split over `pool` when given), then cached until set().
  const QuantizedActs& q8_k(ThreadPool* pool = nullptr);  // Q8_K (TQ1_0, TQ2_0, Q6_K)
  const QuantizedActs& i8_s(ThreadPool* pool = nullptr);  // I8_S (I2_S): per column scale, sum
  const fp16_t* f16();         // rounded to f16 (F16 weights, as ggml converts src1)
  const block_q8_0* q8_0();    // Q8_0 (Q8_0 weights)
  double quant_seconds = 0.0;  // time spent quantizing (for the profile)

 private:
  const float* x_ = nullptr;
  int64_t k_ = 0, n_ = 0;
  bool have_q8k_ = false, have_i8s_ = false, have_f16_ = false, have_q80_ = false;
  ActBuffer q8k_, i8s_;  // ops.h: quantize_acts with the selected quant_act kernel
  QuantizedActs q8k_view_, i8s_view_;
  std::vector<fp16_t> f16_buf_;
  std::vector<block_q8_0> q80_buf_;
};

// y[n*w.rows + m] = out_scale * Σ_k W[m][k] x[n][k] for all rows m and columns n of acts.
// round_f16_input: F16 weights see the input rounded to f16 (ggml's vec_dot_f16) or in f32
// (llamafile's f16 x f32 sgemm; numerics.h says which runtime does which).
// ggml_x86_tq: TQ2_0 / TQ1_0 weights through tq_dot_ggml_x86.h (llama.cpp's x86 float order)
// instead of the kernel registry.
// ggml512_dense: F16 / F32 weights in the peers' AVX-512 float order (ggml_dot512.h): llamafile's
// tinyBLAS for batches it accepts (>= 2 columns, K % 16 == 0), ggml_vec_dot_f16 otherwise (F32
// single columns keep the kernel registry).
void linear(const Weight& w, Acts& acts, float* y, ThreadPool& pool, bool round_f16_input = true,
            bool ggml_x86_tq = false, bool ggml512_dense = false);

}  // namespace bitnet::model::detail
