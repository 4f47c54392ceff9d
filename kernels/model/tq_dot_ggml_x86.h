// TQ2_0 / TQ1_0 · Q8_K as llama.cpp's x86 builds compute them (ggml_vec_dot_tq2_0_q8_K and
// ggml_vec_dot_tq1_0_q8_K, AVX2 branches), not as the kernels' contract (ggml's generic C) does:
// per block eight int32 lane sums, each converted and accumulated per lane across blocks as
// fma(lane, d, acc) (GCC contracts the mul + add), then hsum_float_8. Both formats put the same
// values in the same lane (lane m: code·q of values 32L + 4m + e, L < 8, e < 4, minus the bsums
// of values 32m … 32m+31), so the same ternary weights give the same float in either format —
// which is why llama.cpp's TQ1_0 and TQ2_0 runs of a model agree to the bit. Scalar, for
// EngineOptions::peer_float_order only.
#pragma once

#include <cstdint>

#include "bitnet/formats/blocks.h"

namespace bitnet::model::detail {

float tq2_dot_ggml_x86(const block_tq2_0* w, const block_q8_K* x, int64_t nb);
float tq1_dot_ggml_x86(const block_tq1_0* w, const block_q8_K* x, int64_t nb);

// The same in two steps, so that a matmul unpacks each weight row once for all its columns:
// a row's codes (0, 1, 2 = weight −1, 0, +1; nb × 256, in value order) and block scales, then
// the dot of those with one Q8_K column.
void tq2_row_codes(const block_tq2_0* w, int64_t nb, uint8_t* codes, float* dw);
void tq1_row_codes(const block_tq1_0* w, int64_t nb, uint8_t* codes, float* dw);
float tq_codes_dot_ggml_x86(const uint8_t* codes, const float* dw, const block_q8_K* x, int64_t nb);

}  // namespace bitnet::model::detail
