// Architectures without kernels of their own: no features, only the scalar references run.
#include "bitnet/kernels/cpu.h"

namespace bitnet {

const CpuFeatures& cpu_features() {
  static const CpuFeatures f;
  return f;
}

uint32_t arch_feature_bits() {
  return 0;
}

uint32_t cpu_feature_bits() {
  return 0;
}

std::string cpu_model_name() {
  return "unknown";
}

std::string cpu_features_string() {
  return "none";
}

}  // namespace bitnet
