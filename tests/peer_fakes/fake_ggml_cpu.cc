// A stand-in for llama.cpp's libggml-cpu.so: ggml_get_type_traits_cpu for TQ1_0, TQ2_0 and
// Q8_K, answering with our scalar references. FAKE_WRONG_DOT: TQ2_0's vec_dot is off by one.
#include <cstddef>
#include <cstdint>

#include "bitnet/kernels/registry.h"

namespace {

using bitnet::TypeId;

struct TraitsCpu {  // ggml-cpu.h struct ggml_type_traits_cpu, as the loader declares it
  void (*from_float)(const float*, void*, int64_t);
  void (*vec_dot)(int, float*, size_t, const void*, size_t, const void*, size_t, int);
  int vec_dot_type;
  int64_t nrows;
};

void q8k_from_float(const float* x, void* y, int64_t k) {
  bitnet::reference_kernel(bitnet::Op::kQuantAct, TypeId::kTQ2_0)
      .quant_act(x, k, static_cast<uint8_t*>(y), nullptr, nullptr);
}

template <TypeId W>
void vec_dot(int n, float* s, size_t, const void* x, size_t, const void* y, size_t, int) {
  bitnet::MatmulArgs a;
  a.wtype = W;
  a.w = static_cast<const uint8_t*>(x);
  a.w_row_bytes = 1 << 20;
  a.M = 1;
  a.K = n;
  a.x = {TypeId::kQ8_K, n, 1, static_cast<const uint8_t*>(y), 1 << 20, nullptr, nullptr};
  a.y = s;
  a.y_col_stride = 1;
  bitnet::reference_kernel(bitnet::Op::kMatmul, W).matmul(a, 0, 1);
#ifdef FAKE_WRONG_DOT
  if (W == TypeId::kTQ2_0) *s += 1.0f;
#endif
}

const TraitsCpu kQ8K{q8k_from_float, nullptr, 15, 1};
const TraitsCpu kTQ1{nullptr, vec_dot<TypeId::kTQ1_0>, 15, 1};
const TraitsCpu kTQ2{nullptr, vec_dot<TypeId::kTQ2_0>, 15, 1};

}  // namespace

extern "C" {
__attribute__((visibility("default"))) const TraitsCpu* ggml_get_type_traits_cpu(int type) {
  switch (type) {
    case 15:
      return &kQ8K;
    case 34:
      return &kTQ1;
    case 35:
      return &kTQ2;
  }
  return nullptr;
}
__attribute__((visibility("default"))) void ggml_cpu_init() {}
}
