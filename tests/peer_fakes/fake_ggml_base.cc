// A stand-in for llama.cpp's libggml-base.so with the entry points the peer loader uses, built
// by the tests. Packing is our own quantizer (byte-exact with llama.cpp's), so the answers are
// known. FAKE_BAD_LAYOUT: the traits struct disagrees with ggml_type_size (a changed ABI).
#include <cstddef>
#include <cstdint>

#include "bitnet/formats/quantize.h"

namespace {

struct Traits {  // ggml.h struct ggml_type_traits, as the loader declares it
  const char* type_name;
  int64_t blck_size;
  int64_t blck_size_interleave;
  size_t type_size;
  bool is_quantized;
  void* to_float;
  void* from_float_ref;
};

const char kQ8K[] = "q8_K", kTQ1[] = "tq1_0", kTQ2[] = "tq2_0";
#ifdef FAKE_BAD_LAYOUT
const size_t kTQ2Size = 64;
#else
const size_t kTQ2Size = 66;
#endif
const Traits kTraits[3] = {{kQ8K, 256, 0, 292, true, nullptr, nullptr},
                           {kTQ1, 256, 0, 54, true, nullptr, nullptr},
                           {kTQ2, 256, 0, kTQ2Size, true, nullptr, nullptr}};

const Traits* find(int type) {
  switch (type) {
    case 15:
      return &kTraits[0];
    case 34:
      return &kTraits[1];
    case 35:
      return &kTraits[2];
  }
  return nullptr;
}

}  // namespace

extern "C" {
__attribute__((visibility("default"))) const Traits* ggml_get_type_traits(int type) {
  return find(type);
}
__attribute__((visibility("default"))) const char* ggml_type_name(int type) {
  return find(type) ? find(type)->type_name : "unknown";
}
__attribute__((visibility("default"))) int64_t ggml_blck_size(int type) {
  return find(type) ? find(type)->blck_size : 0;
}
__attribute__((visibility("default"))) size_t ggml_type_size(int type) {
  if (type == 35) return 66;  // the true size, whatever the struct says
  return find(type) ? find(type)->type_size : 0;
}
__attribute__((visibility("default"))) size_t ggml_quantize_chunk(int type, const float* src,
                                                                  void* dst, int64_t start,
                                                                  int64_t nrows, int64_t n_per_row,
                                                                  const float*) {
  const bitnet::TypeId t = type == 35 ? bitnet::TypeId::kTQ2_0 : bitnet::TypeId::kTQ1_0;
  const size_t row = bitnet::quantized_bytes(t, n_per_row);
  uint8_t* out = static_cast<uint8_t*>(dst) + static_cast<size_t>(start / n_per_row) * row;
  bitnet::quantize(t, src + start, out, nrows * n_per_row);
  return static_cast<size_t>(nrows) * row;
}
}
