// The few C entry points and struct layouts of the peers' libraries that the adapters call,
// declared here from the peers' public headers (ggml.h, ggml-cpu.h) and bitnet.cpp's exported
// kernels. Nothing of theirs is included or linked: the libraries are opened at run time, and
// every layout assumption below is checked at load where the library offers a way to (see
// llama_cpp_peer.cc: the type-traits fields are cross-checked against ggml's accessor
// functions, which do not depend on the struct layout).
#pragma once

#include <cstddef>
#include <cstdint>

namespace bitnet::peers::abi {

// enum ggml_type values used here (stable across ggml versions; GGUF stores them).
inline constexpr int kGgmlTypeQ8_K = 15;
inline constexpr int kGgmlTypeTQ1_0 = 34;
inline constexpr int kGgmlTypeTQ2_0 = 35;
inline constexpr int kGgmlTypeI2_S = 36;  // bitnet.cpp's fork only

extern "C" {
// ggml-cpu.h: vec_dot computes n-element dot products of nrc rows (nrc = 1 here: s[0]).
using VecDotFn = void (*)(int n, float* s, size_t bs, const void* x, size_t bx, const void* y,
                          size_t by, int nrc);
using FromFloatFn = void (*)(const float* x, void* y, int64_t k);
using ToFloatFn = void (*)(const void* x, float* y, int64_t k);

// ggml-cpu.h `struct ggml_type_traits_cpu` (llama.cpp since the CPU backend split, early 2025).
// It has no size or version field; llama_cpp_peer.cc checks each field's value instead
// (vec_dot_type must be Q8_K, nrows 1, pointers non-null) and verifies the kernels' answers.
struct TypeTraitsCpu {
  FromFloatFn from_float;
  VecDotFn vec_dot;
  int vec_dot_type;  // enum ggml_type
  int64_t nrows;
};
static_assert(sizeof(TypeTraitsCpu) == 32);

// ggml.h `struct ggml_type_traits` (libggml-base). Cross-checked against ggml_type_name,
// ggml_blck_size and ggml_type_size, which are functions and so layout-independent.
struct TypeTraits {
  const char* type_name;
  int64_t blck_size;
  int64_t blck_size_interleave;
  size_t type_size;
  bool is_quantized;
  ToFloatFn to_float;
  FromFloatFn from_float_ref;
};
static_assert(sizeof(TypeTraits) == 56);

using GetTypeTraitsCpuFn = const TypeTraitsCpu* (*)(int type);
using GetTypeTraitsFn = const TypeTraits* (*)(int type);
using TypeNameFn = const char* (*)(int type);
using BlckSizeFn = int64_t (*)(int type);
using TypeSizeFn = size_t (*)(int type);
using CpuInitFn = void (*)();
// ggml.h: quantizes nrows rows of n_per_row floats starting at element `start` (a row start)
// into dst at row `start / n_per_row`; returns the bytes written.
using QuantizeChunkFn = size_t (*)(int type, const float* src, void* dst, int64_t start,
                                   int64_t nrows, int64_t n_per_row, const float* imatrix);

// bitnet.cpp (src/ggml-bitnet-mad.cpp, ggml-quants.c of its fork):
//  quantize_i2_s: the whole tensor (nrow x n_per_row) -> n/4 code bytes, then the f32 scale.
//  quantize_row_i8_s: one activation column -> int8, *scale = 127/absmax, *sum = Σq.
//  ggml_vec_dot_i2_i8_s: *s = (float) Σ code·q over n elements (codes 0,1,2; no epilogue).
using QuantizeI2sFn = size_t (*)(const float* src, void* dst, int64_t nrow, int64_t n_per_row,
                                 const float* quant_weights);
using QuantizeRowI8sFn = void (*)(const float* x, void* y, int64_t n, float* scale, int32_t* sum);
}  // extern "C"

}  // namespace bitnet::peers::abi
