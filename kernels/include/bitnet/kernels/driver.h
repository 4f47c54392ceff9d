// The driver everyone calls: quantize activations, run a matmul across threads, dequantize.
// Every entry point validates its arguments and throws std::invalid_argument with a message
// naming the argument; nothing here asserts or reads out of bounds on bad input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "bitnet/formats/blocks.h"
#include "bitnet/formats/types.h"
#include "bitnet/kernels/kernel.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/threadpool.h"

namespace bitnet {

// Owns quantized activations for N columns of K values (Q8_K blocks or I8_S int8 + scale/sum).
// Columns start 64-byte aligned (col_bytes is a multiple of 64). Reusable: quantize_acts only
// reallocates when the shape grows.
class ActBuffer {
 public:
  ActBuffer() = default;
  // Sizes the buffer for type (kQ8_K or kI8), K and N. Throws std::invalid_argument for another
  // type, K or N < 1, or (Q8_K) K % 256 != 0.
  void resize(TypeId type, int64_t K, int64_t N);

  QuantizedActs view() const;
  uint8_t* col(int64_t n) { return data_.get() + n * static_cast<int64_t>(col_bytes_); }
  float* scales() { return scale_.data(); }
  int32_t* sums() { return sum_.data(); }
  TypeId type() const { return type_; }
  int64_t K() const { return K_; }
  int64_t N() const { return N_; }
  size_t col_bytes() const { return col_bytes_; }

 private:
  TypeId type_ = TypeId::kQ8_K;
  int64_t K_ = 0, N_ = 0;
  size_t col_bytes_ = 0;
  struct AlignedDelete {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t[], AlignedDelete> data_;
  size_t capacity_ = 0;
  std::vector<float> scale_;
  std::vector<int32_t> sum_;
};

// Quantizes N activation columns (column n = x + n*x_col_stride floats, K values) for weight
// format wtype: Q8_K for TQ1_0/TQ2_0 (K % 256 == 0), I8_S for I2_S (K % 128 == 0). k = a
// kQuantAct kernel to use (default: select_kernel(kQuantAct, wtype)). With a pool, columns are
// split across its threads (each column is quantized alone, so the output does not change).
void quantize_acts(TypeId wtype, const float* x, int64_t K, int64_t N, int64_t x_col_stride,
                   ActBuffer& out, const KernelInfo* k = nullptr, ThreadPool* pool = nullptr);

// y = W·x for all M rows and N columns (see MatmulArgs). Rows are split across the pool's
// threads in chunks that are multiples of k->tile_m (pool may be null: runs on the caller).
// k defaults to select_kernel(kMatmul, a.wtype, a.x.N, pool size). Identical output for any thread
// count.
void matmul(const MatmulArgs& a, ThreadPool* pool = nullptr, const KernelInfo* k = nullptr);

// The minimal bytes of one weight row / the whole tensor of M rows of K (I2_S: codes + the
// 32-byte trailer holding the scale). Throws when K is not a multiple of the block.
size_t weight_row_bytes(TypeId wtype, int64_t K);

// Dequantizes n elements. TQ1_0/TQ2_0/I2_S go through a registered kDequant kernel (k, or the
// selected one); F32, F16, BF16, Q4_0, Q8_0 and Q6_K through dequantize_row. tensor_scale is the
// I2_S per-tensor scale (see i2s_tensor_scale), ignored otherwise. n must be a multiple of the
// block.
void dequantize(TypeId type, const uint8_t* src, float* dst, int64_t n, float tensor_scale = 1.0f,
                const KernelInfo* k = nullptr);

// Scalar, exact (ggml's dequantize_row_* semantics) for F32, F16, BF16, Q4_0, Q8_0, Q6_K, TQ1_0,
// TQ2_0, I2_S. Throws std::invalid_argument for other types or a length not a multiple of the
// block. Use it to fetch one embedding row: src = row start, n = row length.
void dequantize_row(TypeId type, const uint8_t* src, float* dst, int64_t n,
                    float tensor_scale = 1.0f);

// The I2_S per-tensor scale: the f32 at byte nelements/4 of the tensor data.
float i2s_tensor_scale(const uint8_t* data, int64_t nelements);
// The per-tensor scale of a tensor of `type` (its traits' per_tensor_scale: I2_S), else 1.
float tensor_scale(TypeId type, const uint8_t* data, int64_t nelements);

}  // namespace bitnet
