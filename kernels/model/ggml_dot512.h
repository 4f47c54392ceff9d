// The float order of the peers' f16/f32 dot products on their AVX-512 builds, one lane at a time
// (exact, not fast; for EngineOptions::peer_float_order only). Inputs are f32 (f16 values already
// widened, which is exact); x is read with a stride, y contiguously.
#pragma once

#include <cstdint>

namespace bitnet::model::detail {

// _mm512_reduce_add_ps (GCC and clang expand it alike) of 16 lanes.
float ggml_reduce16(const float* v);
// ggml_vec_dot_f16 (4 × 16-lane FMA accumulators per 64 values, leftovers in double).
float ggml_vec_dot_f16(const float* x, int64_t x_stride, const float* y, int64_t n);
// llamafile's tinyBLAS<16, __m512, …>: one 16-lane FMA accumulator over n (a multiple of 16).
float tinyblas_dot(const float* x, int64_t x_stride, const float* y, int64_t n);

}  // namespace bitnet::model::detail
