// F16 weights, AVX2 + FMA + F16C (dot_avx2.h): ggml_vec_dot_f16's 4-accumulator scheme.
//  - f16 . f16: one row at a time, both operands widened per load.
//  - f16 . f32: the activations given widened (xw[i] = f32(x16[i]), exact), rows in pairs sharing
//    their loads: per row the f16 . f16 result bit for bit, but x is widened once per token
//    instead of once per row. The lm_head (128k rows) is the largest stream of a decode step.
//    Prefetching the next pair one pair ahead keeps the DRAM stream busy where a fixed distance
//    inside the rows did not: lm_head per token (2 threads, 2B4T F16 embedding, Zen 1) no
//    prefetch 43.6 ms, 1 KiB ahead 40.4, next pair 31.2.
#include "dot_avx2.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_f16_f16_1x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* /*next*/) {
  for (int64_t r = 0; r < rows; ++r)
    out[r] = dot1(reinterpret_cast<const fp16_t*>(static_cast<const uint8_t*>(w) + r * w_row_bytes),
                  static_cast<const fp16_t*>(x), n);
}

void dot_f16_f32_2x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* next) {
  dot_rows<fp16_t>(w, w_row_bytes, rows, static_cast<const float*>(x), n, out, next);
}

}  // namespace bitnet::kernels
