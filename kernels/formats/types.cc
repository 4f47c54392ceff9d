#include "bitnet/formats/types.h"

#include "bitnet/formats/quantize.h"

#include <array>
#include <cctype>

namespace bitnet {
namespace {

constexpr std::array kTraits = {
    TypeTraits{TypeId::kF32, "F32", 1, 4, false, "f32", quantize_f32, std::nullopt, 0},
    TypeTraits{TypeId::kF16, "F16", 1, 2, false, "f16", quantize_f16, std::nullopt, 1},
    TypeTraits{TypeId::kQ4_0, "Q4_0", 32, 18, false, "q4_0", quantize_q4_0, std::nullopt, 2},
    TypeTraits{TypeId::kQ4_1, "Q4_1", 32, 20, false, "q4_1"},
    TypeTraits{TypeId::kQ5_0, "Q5_0", 32, 22, false, "q5_0"},
    TypeTraits{TypeId::kQ5_1, "Q5_1", 32, 24, false, "q5_1"},
    TypeTraits{TypeId::kQ8_0, "Q8_0", 32, 34, false, "q8_0", quantize_q8_0, std::nullopt, 7},
    TypeTraits{TypeId::kQ8_1, "Q8_1", 32, 36, false, "q8_1"},
    TypeTraits{TypeId::kQ2_K, "Q2_K", 256, 84, false, "q2_k"},
    TypeTraits{TypeId::kQ3_K, "Q3_K", 256, 110, false, "q3_k"},
    TypeTraits{TypeId::kQ4_K, "Q4_K", 256, 144, false, "q4_k"},
    TypeTraits{TypeId::kQ5_K, "Q5_K", 256, 176, false, "q5_k"},
    TypeTraits{TypeId::kQ6_K, "Q6_K", 256, 210, false, "q6_k", quantize_q6_K, std::nullopt, 18},
    TypeTraits{TypeId::kQ8_K, "Q8_K", 256, 292, false, "q8_k"},
    TypeTraits{TypeId::kIQ2_XXS, "IQ2_XXS", 256, 66, false, "iq2_xxs"},
    TypeTraits{TypeId::kIQ2_XS, "IQ2_XS", 256, 74, false, "iq2_xs"},
    TypeTraits{TypeId::kIQ3_XXS, "IQ3_XXS", 256, 98, false, "iq3_xxs"},
    TypeTraits{TypeId::kIQ1_S, "IQ1_S", 256, 50, false, "iq1_s"},
    TypeTraits{TypeId::kIQ4_NL, "IQ4_NL", 32, 18, false, "iq4_nl"},
    TypeTraits{TypeId::kIQ3_S, "IQ3_S", 256, 110, false, "iq3_s"},
    TypeTraits{TypeId::kIQ2_S, "IQ2_S", 256, 82, false, "iq2_s"},
    TypeTraits{TypeId::kIQ4_XS, "IQ4_XS", 256, 136, false, "iq4_xs"},
    TypeTraits{TypeId::kI8, "I8", 1, 1, false, "i8_s"},
    TypeTraits{TypeId::kI16, "I16", 1, 2, false, "i16"},
    TypeTraits{TypeId::kI32, "I32", 1, 4, false, "i32"},
    TypeTraits{TypeId::kI64, "I64", 1, 8, false, "i64"},
    TypeTraits{TypeId::kF64, "F64", 1, 8, false, "f64"},
    TypeTraits{TypeId::kIQ1_M, "IQ1_M", 256, 56, false, "iq1_m"},
    TypeTraits{TypeId::kBF16, "BF16", 1, 2, false, "bf16", quantize_bf16, std::nullopt, 32},
    TypeTraits{TypeId::kTQ1_0, "TQ1_0", 256, 54, false, "tq1_0", quantize_tq1_0, TypeId::kQ8_K, 36},
    TypeTraits{TypeId::kTQ2_0, "TQ2_0", 256, 66, false, "tq2_0", quantize_tq2_0, TypeId::kQ8_K, 37},
    // I2_S: 4 codes per byte; the codes are laid out in 128-element blocks (32 bytes).
    TypeTraits{TypeId::kI2_S, "I2_S", 128, 32, true, "i2_s", quantize_i2_s, TypeId::kI8, 40},
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

std::optional<TypeTraits> type_traits(uint32_t id) {
  for (const auto& t : kTraits) {
    if (static_cast<uint32_t>(t.id) == id) return t;
  }
  return std::nullopt;
}

std::optional<TypeTraits> type_traits(TypeId id) {
  return type_traits(static_cast<uint32_t>(id));
}

std::optional<TypeTraits> type_traits_by_name(std::string_view name) {
  for (const auto& t : kTraits) {
    if (iequals(t.name, name)) return t;
  }
  return std::nullopt;
}

std::optional<uint64_t> row_bytes(uint32_t id, uint64_t row_elems) {
  const auto t = type_traits(id);
  if (!t) return std::nullopt;
  const auto be = static_cast<uint64_t>(t->block_elems);
  if (row_elems % be != 0) return std::nullopt;
  const uint64_t blocks = row_elems / be;
  const auto bb = static_cast<uint64_t>(t->block_bytes);
  if (blocks != 0 && bb > UINT64_MAX / blocks) return std::nullopt;
  return blocks * bb;
}

std::optional<uint64_t> tensor_bytes(uint32_t id, uint64_t nelements, uint64_t row_elems) {
  const auto t = type_traits(id);
  if (!t || row_elems == 0) return std::nullopt;
  if (nelements % row_elems != 0) return std::nullopt;
  const auto row = row_bytes(id, row_elems);
  if (!row) return std::nullopt;
  const uint64_t rows = nelements / row_elems;
  if (rows != 0 && *row > UINT64_MAX / rows) return std::nullopt;
  uint64_t total = *row * rows;
  if (t->per_tensor_scale) {
    if (total > UINT64_MAX - kI2sTrailerBytes) return std::nullopt;
    total += kI2sTrailerBytes;
  }
  return total;
}

}  // namespace bitnet
