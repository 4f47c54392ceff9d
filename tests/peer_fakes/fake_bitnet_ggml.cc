// A stand-in for bitnet.cpp's libggml.so: quantize_i2_s, quantize_row_i8_s and
// ggml_vec_dot_i2_i8_s with known answers (our quantizers; the dot decodes the codes itself).
// FAKE_NO_DOT: ggml_vec_dot_i2_i8_s is missing. FAKE_WRONG_PACK: the four 32-element groups
// of each 128-block are packed in reverse bit order (a layout bug the decode check must catch).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/registry.h"

extern "C" {
__attribute__((visibility("default"))) size_t quantize_i2_s(const float* src, void* dst,
                                                            int64_t nrow, int64_t n_per_row,
                                                            const float*) {
  const int64_t n = nrow * n_per_row;
  uint8_t* out = static_cast<uint8_t*>(dst);
  bitnet::quantize_i2_s(src, out, n);
#ifdef FAKE_WRONG_PACK
  for (int64_t i = 0; i < n / 4; ++i) {
    const uint8_t b = out[i];
    out[i] = static_cast<uint8_t>((b >> 6) | ((b >> 2) & 0x0c) | ((b << 2) & 0x30) | (b << 6));
  }
#endif
  return static_cast<size_t>(n / 4 + 32);
}

__attribute__((visibility("default"))) void quantize_row_i8_s(const float* x, void* y, int64_t n,
                                                              float* scale, int32_t* sum) {
  bitnet::reference_kernel(bitnet::Op::kQuantAct, bitnet::TypeId::kI2_S)
      .quant_act(x, n, static_cast<uint8_t*>(y), scale, sum);
}

#ifndef FAKE_NO_DOT
__attribute__((visibility("default"))) void ggml_vec_dot_i2_i8_s(int n, float* s, size_t,
                                                                 const void* vx, size_t,
                                                                 const void* vy, size_t, int) {
  const uint8_t* x = static_cast<const uint8_t*>(vx);
  const int8_t* y = static_cast<const int8_t*>(vy);
  int32_t acc = 0;
  for (int k = 0; k < n; ++k) {  // element 128i + 32g + p: byte 32i + p, bits 6 - 2g
    const int i = k / 128, g = (k % 128) / 32, p = k % 32;
    acc += ((x[32 * i + p] >> (6 - 2 * g)) & 3) * y[k];
  }
  *s = static_cast<float>(acc);
}
#endif
}
