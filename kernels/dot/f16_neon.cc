// f16 . f16 and f16 . f32 dots, NEON: the f16 values widened exactly (FCVTL), then the AVX2
// kernels' order (dot_neon.h; contract in kernels.inc), so both give the same bits.
#include <cstring>

#include "bitnet/formats/blocks.h"
#include "dot_neon.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

float32x4_t load_f16x4(const fp16_t* p) {
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}

template <class X>
void dot_f16_rows(const void* w, size_t w_row_bytes, int64_t rows, const X* x, int64_t n,
                  float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wh =
        reinterpret_cast<const fp16_t*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    auto lx = [x](int64_t i) {
      if constexpr (sizeof(X) == 2) {
        return load_f16x4(x + i);
      } else {
        return vld1q_f32(x + i);
      }
    };
    auto sx = [x](int64_t i) {
      if constexpr (sizeof(X) == 2) {
        return fp16_to_fp32(x[i]);
      } else {
        return x[i];
      }
    };
    out[r] = neon::dot_avx2_order([wh](int64_t i) { return load_f16x4(wh + i); }, lx,
                                  [wh](int64_t i) { return fp16_to_fp32(wh[i]); }, sx, n);
  }
}

}  // namespace

void dot_f16_f16_1x1__neon(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* /*next*/) {
  dot_f16_rows(w, w_row_bytes, rows, static_cast<const fp16_t*>(x), n, out);
}

void dot_f16_f32_1x1__neon(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* /*next*/) {
  dot_f16_rows(w, w_row_bytes, rows, static_cast<const float*>(x), n, out);
}

}  // namespace bitnet::kernels
