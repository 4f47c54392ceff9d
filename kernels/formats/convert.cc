// Float format conversions and the quantize() entry point over every weight type we write.
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitnet/formats/quantize.h"

namespace bitnet {

void convert_f32_to_f16(const float* x, fp16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp32_to_fp16(x[i]);
}

void convert_f32_to_bf16(const float* x, bf16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp32_to_bf16(x[i]);
}

size_t quantized_bytes(TypeId type, int64_t n) {
  const auto t = type_traits(type);
  if (!t || t->quantize == nullptr)
    throw std::invalid_argument(
        "quantize: no quantizer for type " +
        std::string(t ? t->name : "id " + std::to_string(static_cast<uint32_t>(type))));
  if (n < 0 || n % t->block_elems != 0)
    throw std::invalid_argument("quantize: " + std::string(t->name) + ": n = " + std::to_string(n) +
                                " is not a multiple of the " + std::to_string(t->block_elems) +
                                "-element block");
  size_t bytes = static_cast<size_t>(n / t->block_elems) * static_cast<size_t>(t->block_bytes);
  if (t->per_tensor_scale) bytes += kI2sTrailerBytes;
  return bytes;
}

void quantize_f32(const float* x, uint8_t* dst, int64_t n) {
  std::memcpy(dst, x, static_cast<size_t>(n) * sizeof(float));
}

void quantize_f16(const float* x, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const fp16_t h = fp32_to_fp16(x[i]);
    std::memcpy(dst + 2 * i, &h, 2);
  }
}

void quantize_bf16(const float* x, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const bf16_t h = fp32_to_bf16(x[i]);
    std::memcpy(dst + 2 * i, &h, 2);
  }
}

void quantize(TypeId type, const float* x, uint8_t* dst, int64_t n) {
  quantized_bytes(type, n);  // validates type and n
  type_traits(type)->quantize(x, dst, n);
}

}  // namespace bitnet
