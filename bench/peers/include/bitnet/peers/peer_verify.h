// Checks a peer's kernels before anything of theirs is timed: every function returns "" when
// the check passes, else a message naming the peer, the check, and the first difference.
//
// Tolerance. Where both sides are integer (I2_S's Σ code·q; TQ dots on the probe whose block
// scales are all 1) results must be equal. The finished TQ dot is a float sum whose order
// differs (ggml sums 8 lanes per block, then the lanes; our reference sums blocks in order), so
// there |peer − reference| ≤ (2·K/256 + 8) · 2^-24 · Σ_b |d_b| · Σ_i |q_i| — the rounding bound
// of two such sums of at most K/256 + 8 terms each (d_b: a block's combined scale, q_i: the
// activation codes). I2_S's epilogue is the same f32 expression on both sides: equal bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "bitnet/kernels/kernel.h"
#include "bitnet/peers/peer_kernels.h"

namespace bitnet::peers {

// Packing: weights made of known trits times exact per-block (TQ) or per-tensor (I2_S) scales
// go through the peer's quantizer; our scalar decoder must give back those trits and scales.
std::string check_packing(const PeerFormat& f, uint64_t seed);

// Activation quantization: the peer's quantizer and our scalar reference give the same bytes
// (I8_S: and the same scale bits and sum) for a few seeded columns.
std::string check_act_quant(const PeerFormat& f, uint64_t seed);

// Integer dot: on the probe (TQ: block scales 1, Q8_K scales 1, so the float dot is an exact
// integer; I2_S: the raw Σ code·q) the peer's vec_dot equals Σ trit·q computed here directly.
std::string check_integer_dot(const PeerFormat& f, uint64_t seed);

// All three; cheap (a few KiB of data).
std::string check_format(const PeerFormat& f, uint64_t seed);

// The peer's y against our reference's y at the same (row, column) pairs, for one matmul's
// inputs (a.x: the quantized activations both used). TQ within the bound above, I2_S exact.
// got/want: values in the same order; rows: the row of each value's pair, cols: its column.
std::string compare_matmul(const PeerFormat& f, const MatmulArgs& a, std::span<const float> got,
                           std::span<const float> want, std::span<const int64_t> rows,
                           std::span<const int64_t> cols);

// The bound above for one output (TQ formats); 0 for I2_S.
double tq_dot_tolerance(TypeId wtype, const uint8_t* w_row, const uint8_t* x_col, int64_t K);

}  // namespace bitnet::peers
