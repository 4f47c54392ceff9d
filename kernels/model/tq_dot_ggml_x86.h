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

}  // namespace bitnet::model::detail
