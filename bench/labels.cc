#include "bitnet/bench/labels.h"

#include <cctype>
#include <string_view>

#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::bench {
namespace {

// The kernel's name suffix after "__": "<isa>[_<impl>]".
std::string_view isa_impl(const KernelInfo& k) {
  auto pos = k.name.find("__");
  return pos == std::string_view::npos ? k.name : k.name.substr(pos + 2);
}

}  // namespace

std::string type_label(TypeId t) {
  if (t == TypeId::kI8) return "i8_s";
  auto tr = type_traits(static_cast<uint32_t>(t));
  std::string s = tr ? std::string(tr->name) : "type" + std::to_string(static_cast<uint32_t>(t));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string impl_label(const KernelInfo& k) {
  std::string label(isa_impl(k));
  for (const KernelInfo& o : all_kernels()) {
    if (&o == &k || o.op != k.op || o.wtype != k.wtype || o.atype != k.atype) continue;
    if (isa_impl(o) == isa_impl(k))
      return label + "." + std::to_string(k.tile_m) + "x" + std::to_string(k.tile_n);
  }
  return label;
}

std::span<const TypeId> weight_formats() {
  static const TypeId f[] = {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S};
  return f;
}

int64_t k_block(TypeId wtype) {
  return wtype == TypeId::kI2_S ? kI2sBlock : kQK_K;
}

}  // namespace bitnet::bench
