#include "bitnet/formats/types.h"

#include <array>
#include <cctype>

namespace bitnet {
namespace {

constexpr std::array kTraits = {
    TypeTraits{TypeId::kF32, "F32", 1, 4, false},
    TypeTraits{TypeId::kF16, "F16", 1, 2, false},
    TypeTraits{TypeId::kQ4_0, "Q4_0", 32, 18, false},
    TypeTraits{TypeId::kQ4_1, "Q4_1", 32, 20, false},
    TypeTraits{TypeId::kQ5_0, "Q5_0", 32, 22, false},
    TypeTraits{TypeId::kQ5_1, "Q5_1", 32, 24, false},
    TypeTraits{TypeId::kQ8_0, "Q8_0", 32, 34, false},
    TypeTraits{TypeId::kQ8_1, "Q8_1", 32, 36, false},
    TypeTraits{TypeId::kQ2_K, "Q2_K", 256, 84, false},
    TypeTraits{TypeId::kQ3_K, "Q3_K", 256, 110, false},
    TypeTraits{TypeId::kQ4_K, "Q4_K", 256, 144, false},
    TypeTraits{TypeId::kQ5_K, "Q5_K", 256, 176, false},
    TypeTraits{TypeId::kQ6_K, "Q6_K", 256, 210, false},
    TypeTraits{TypeId::kQ8_K, "Q8_K", 256, 292, false},
    TypeTraits{TypeId::kIQ2_XXS, "IQ2_XXS", 256, 66, false},
    TypeTraits{TypeId::kIQ2_XS, "IQ2_XS", 256, 74, false},
    TypeTraits{TypeId::kIQ3_XXS, "IQ3_XXS", 256, 98, false},
    TypeTraits{TypeId::kIQ1_S, "IQ1_S", 256, 50, false},
    TypeTraits{TypeId::kIQ4_NL, "IQ4_NL", 32, 18, false},
    TypeTraits{TypeId::kIQ3_S, "IQ3_S", 256, 110, false},
    TypeTraits{TypeId::kIQ2_S, "IQ2_S", 256, 82, false},
    TypeTraits{TypeId::kIQ4_XS, "IQ4_XS", 256, 136, false},
    TypeTraits{TypeId::kI8, "I8", 1, 1, false},
    TypeTraits{TypeId::kI16, "I16", 1, 2, false},
    TypeTraits{TypeId::kI32, "I32", 1, 4, false},
    TypeTraits{TypeId::kI64, "I64", 1, 8, false},
    TypeTraits{TypeId::kF64, "F64", 1, 8, false},
    TypeTraits{TypeId::kIQ1_M, "IQ1_M", 256, 56, false},
    TypeTraits{TypeId::kBF16, "BF16", 1, 2, false},
    TypeTraits{TypeId::kTQ1_0, "TQ1_0", 256, 54, false},
    TypeTraits{TypeId::kTQ2_0, "TQ2_0", 256, 66, false},
    // I2_S: 4 codes per byte; the codes are laid out in 128-element blocks (32 bytes).
    TypeTraits{TypeId::kI2_S, "I2_S", 128, 32, true},
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
