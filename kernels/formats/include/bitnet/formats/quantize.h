// Weight quantizers, byte-exact with their origin (llama.cpp quantize_row_{tq1_0,tq2_0,q4_0,
// q8_0,q6_K}_ref, bitnet.cpp quantize_i2_s), and float format conversions. Used by the synthetic
// model generator and bitnet-quantize.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bitnet/formats/blocks.h"
#include "bitnet/formats/types.h"

namespace bitnet {

// Bytes quantize() writes for n elements of type (I2_S: n/4 codes + 32-byte trailer with the
// f32 scale; others: n/block*block_bytes). Throws std::invalid_argument when n is not a multiple
// of the type's block or the type has no quantizer here.
size_t quantized_bytes(TypeId type, int64_t n);

// TQ2_0 / TQ1_0: per 256-block d = max|x|, trit = lroundf(x/d) (llama.cpp). n % 256 == 0.
void quantize_tq2_0(const float* x, uint8_t* dst, int64_t n);
void quantize_tq1_0(const float* x, uint8_t* dst, int64_t n);

// I2_S over a WHOLE tensor (n = all elements, n % 128 == 0): scale = max|x| (f32 at byte n/4),
// code = 1 (zero) when |x| < 1e-6, else 2 (+1) when x*scale > 0, else 0 (-1) — bitnet.cpp's
// sign rule, not a rounding. Writes n/4 + 32 bytes; bytes n/4+4 .. n/4+31 are zero.
void quantize_i2_s(const float* x, uint8_t* dst, int64_t n);

// Q8_0 (llama.cpp quantize_row_q8_0_ref): per 32 values d = max|x|/127 stored as fp16,
// q = roundf(x * (1/d)) (ties away from zero). n % 32 == 0.
// Q6_K (quantize_row_q6_K_ref, make_qx_quants with rmse_type 1): per 16 values the best of 19
// scales around max/-32 by x^2-weighted error, the 16 scales as int8 of one fp16 d = max/-128,
// 6-bit codes. n % 256 == 0. What llama-quantize writes when no importance matrix is given.
// Both throw std::invalid_argument naming the element for a NaN/inf input, and the block when
// its scale cannot be stored (|x| beyond ~8.3e6 for Q8_0, ~2.6e8 for Q6_K): llama-quantize's
// row validation refuses such output too.
void quantize_q8_0(const float* x, uint8_t* dst, int64_t n);
void quantize_q6_K(const float* x, uint8_t* dst, int64_t n);

// Q4_0 (quantize_row_q4_0_ref, what llama-quantize writes without an importance matrix): per 32
// values the element of largest magnitude m (the first one on ties), d = m / -8 stored as fp16,
// code = min(15, (int8_t)(x * (1/d) + 8.5)) — a truncation, so the extreme maps to code 0 and
// the opposite side saturates at 15. n % 32 == 0. Throws std::invalid_argument naming the element
// for NaN/inf input and the block when d overflows fp16 (|x| beyond ~5.2e5).
void quantize_q4_0(const float* x, uint8_t* dst, int64_t n);

// The Q8_0 row quantizer without those checks, for activations in hot loops (the decode engine):
// the same bytes for finite input; non-finite input gives defined but meaningless codes.
void quantize_row_q8_0(const float* x, block_q8_0* y, int64_t n) noexcept;

// ggml-cpu's quantize_row_q8_0 as x86 builds (AVX2, AVX-512) run it: the activations llama.cpp
// multiplies Q4_0 and Q8_0 weights with. Differs from the _ref rounding above in two places:
// id = 127 / amax (not 1 / d) and round-half-to-even (_mm256_round_ps), so a few codes per
// thousand differ by one. d = amax / 127 as fp16, as in both.
void quantize_row_q8_0_ggml_x86(const float* x, block_q8_0* y, int64_t n) noexcept;

// Rows of floats to F16 (round to nearest even) / BF16 (round to nearest even, NaN kept).
void convert_f32_to_f16(const float* x, fp16_t* dst, int64_t n);
void convert_f32_to_bf16(const float* x, bf16_t* dst, int64_t n);

// F32 (a copy), F16, BF16 as bytes (little-endian), the quantizers of their traits rows.
void quantize_f32(const float* x, uint8_t* dst, int64_t n);
void quantize_f16(const float* x, uint8_t* dst, int64_t n);
void quantize_bf16(const float* x, uint8_t* dst, int64_t n);

// Any type whose traits row has a quantizer (F32, F16, BF16, Q4_0, Q8_0, Q6_K, TQ1_0, TQ2_0, I2_S):
// n elements of x into dst (quantized_bytes(type, n)).
void quantize(TypeId type, const float* x, uint8_t* dst, int64_t n);

}  // namespace bitnet
