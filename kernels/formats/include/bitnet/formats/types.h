// Tensor element types and their byte-size rules, numbered as ggml numbers them (GGUF type ids).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bitnet {

// ggml type ids. I2_S is bitnet.cpp's id; upstream llama.cpp had removed an unrelated type at 36.
enum class TypeId : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kI2_S = 36,
};

// Quantizes n elements of x (a whole tensor, n a multiple of the block) into dst.
using QuantizeFn = void (*)(const float* x, uint8_t* dst, int64_t n);

// One row per type, ggml's type_traits pattern: every fact about a format that code would
// otherwise switch on. Adding a weight format = its row here (kTraits in types.cc), its scalar
// quantizer (quantize.h), its reference kernels and its SIMD files (kernels/kernels.inc).
struct TypeTraits {
  TypeId id;
  std::string_view name;  // as ggml prints it: "TQ2_0", "I2_S", "F16"
  int64_t block_elems;    // elements per block (1 for plain types); K must be a multiple of it
  int64_t block_bytes;    // bytes per block
  bool per_tensor_scale;  // I2_S: one f32 scale after the codes, tensor padded by 32 bytes
  std::string_view label = {};    // lower-case, as in benchmark rows and specs: "tq2_0", "i8_s"
  QuantizeFn quantize = nullptr;  // the scalar quantizer (quantize.h), nullptr when there is none
  // Ternary weight formats: the activation type their matmul kernels consume.
  std::optional<TypeId> act_type = std::nullopt;
  // general.file_type (llama_ftype "mostly <type>") of a model whose projections have this type.
  std::optional<uint32_t> file_type = std::nullopt;
};

// Traits of a known type, or nullopt for an id we do not know (the caller reports the error).
std::optional<TypeTraits> type_traits(uint32_t id);
std::optional<TypeTraits> type_traits_by_name(std::string_view name);  // case-insensitive
std::optional<TypeTraits> type_traits(TypeId id);

// Bytes of a tensor of `nelements` elements whose rows are `row_elems` long. nullopt when the
// type is unknown, the row length is not a multiple of the block, or the size overflows.
std::optional<uint64_t> tensor_bytes(uint32_t id, uint64_t nelements, uint64_t row_elems);

// Bytes of one row of `row_elems` elements (I2_S: the packed codes only, row_elems/4).
std::optional<uint64_t> row_bytes(uint32_t id, uint64_t row_elems);

// The I2_S padding after the codes: one f32 scale plus 28 bytes, as bitnet.cpp writes it.
inline constexpr uint64_t kI2sTrailerBytes = 32;

}  // namespace bitnet
