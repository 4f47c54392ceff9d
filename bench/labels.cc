#include "bitnet/bench/labels.h"

#include <cctype>
#include <string_view>

#include "bitnet/formats/blocks.h"

namespace bitnet::bench {
std::string type_label(TypeId t) {
  if (t == TypeId::kI8) return "i8_s";
  auto tr = type_traits(static_cast<uint32_t>(t));
  std::string s = tr ? std::string(tr->name) : "type" + std::to_string(static_cast<uint32_t>(t));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string impl_label(const KernelInfo& k) {
  return std::string(k.name);
}

std::span<const TypeId> weight_formats() {
  static const TypeId f[] = {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S};
  return f;
}

int64_t k_block(TypeId wtype) {
  return wtype == TypeId::kI2_S ? kI2sBlock : kQK_K;
}

}  // namespace bitnet::bench
