// TQ2_0 · Q8_K as llama.cpp's x86 builds compute it (ggml_vec_dot_tq2_0_q8_K, AVX2 branch),
// not as the kernels' contract (ggml's generic C) does: per block eight int32 lane sums (lane m:
// codes·q of values 128h + 32l + 4m + e, minus the bsums of values 32m … 32m+31), each
// converted and accumulated per lane across blocks as fma(lane, d, acc) (GCC contracts the
// mul + add), then hsum_float_8. Scalar, for EngineOptions::peer_float_order only.
#pragma once

#include <cstdint>

#include "bitnet/formats/blocks.h"

namespace bitnet::model::detail {

float tq2_dot_ggml_x86(const block_tq2_0* w, const block_q8_K* x, int64_t nb);

}  // namespace bitnet::model::detail
