// Scalar dequantization of one row for every type the engine reads (ggml's dequantize_row_*
// and to_float semantics, including the f32 operation order).
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitnet/kernels/driver.h"
#include "kernels_decl.h"
#include "ref_common.h"

namespace bitnet {
namespace {

// ggml's dequantize_row_q4_0: (code - 8) * d, low nibbles first, then the high ones.
void dequant_q4_0(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / 32; ++b, src += sizeof(block_q4_0), dst += 32) {
    const float d = fp16_to_fp32(ref::load_fp16(src));
    const uint8_t* q = src + offsetof(block_q4_0, qs);
    for (int j = 0; j < 16; ++j) {
      dst[j] = static_cast<float>((q[j] & 0x0F) - 8) * d;
      dst[j + 16] = static_cast<float>((q[j] >> 4) - 8) * d;
    }
  }
}

void dequant_q8_0(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / 32; ++b, src += sizeof(block_q8_0), dst += 32) {
    const float d = fp16_to_fp32(ref::load_fp16(src));
    const auto* q = reinterpret_cast<const int8_t*>(src + offsetof(block_q8_0, qs));
    for (int j = 0; j < 32; ++j) dst[j] = q[j] * d;
  }
}

void dequant_q6_K(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, src += sizeof(block_q6_K)) {
    const uint8_t* ql = src + offsetof(block_q6_K, ql);
    const uint8_t* qh = src + offsetof(block_q6_K, qh);
    const auto* sc = reinterpret_cast<const int8_t*>(src + offsetof(block_q6_K, scales));
    const float d = fp16_to_fp32(ref::load_fp16(src + offsetof(block_q6_K, d)));
    for (int half = 0; half < 2; ++half, dst += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        dst[l] = d * sc[is + 0] * q1;
        dst[l + 32] = d * sc[is + 2] * q2;
        dst[l + 64] = d * sc[is + 4] * q3;
        dst[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

}  // namespace

void dequantize_row(TypeId type, const uint8_t* src, float* dst, int64_t n, float tensor_scale) {
  const auto t = type_traits(static_cast<uint32_t>(type));
  if (!t)
    throw std::invalid_argument("dequantize_row: unknown type id " +
                                std::to_string(static_cast<uint32_t>(type)));
  if (n < 0 || n % t->block_elems != 0)
    throw std::invalid_argument("dequantize_row: " + std::string(t->name) +
                                ": n = " + std::to_string(n) + " is not a multiple of the " +
                                std::to_string(t->block_elems) + "-element block");
  switch (type) {
    case TypeId::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case TypeId::kF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(ref::load_fp16(src + 2 * i));
      return;
    case TypeId::kBF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(ref::load_fp16(src + 2 * i));
      return;
    case TypeId::kQ4_0:
      return dequant_q4_0(src, dst, n);
    case TypeId::kQ8_0:
      return dequant_q8_0(src, dst, n);
    case TypeId::kQ6_K:
      return dequant_q6_K(src, dst, n);
    case TypeId::kTQ1_0:
      return kernels::dequant_tq1_0_f32_1x1__scalar(src, dst, n, tensor_scale);
    case TypeId::kTQ2_0:
      return kernels::dequant_tq2_0_f32_1x1__scalar(src, dst, n, tensor_scale);
    case TypeId::kI2_S:
      return kernels::dequant_i2s_f32_1x1__scalar(src, dst, n, tensor_scale);
    default:
      break;
  }
  throw std::invalid_argument(
      "dequantize_row: type " + std::string(t->name) +
      " is not supported (F32, F16, BF16, Q4_0, Q8_0, Q6_K, TQ1_0, TQ2_0, I2_S)");
}

}  // namespace bitnet
