#include "bitnet/bench/labels.h"

#include <string_view>

#include "bitnet/formats/types.h"

namespace bitnet::bench {
std::string type_label(TypeId t) {
  const auto tr = type_traits(t);
  return tr ? std::string(tr->label) : "type" + std::to_string(static_cast<uint32_t>(t));
}

std::string impl_label(const KernelInfo& k) {
  return std::string(k.name);
}

std::span<const TypeId> weight_formats() {
  static const TypeId f[] = {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S};
  return f;
}

int64_t k_block(TypeId wtype) {
  return type_traits(wtype)->block_elems;
}

}  // namespace bitnet::bench
