// F16 weight references: Σ f32(w[i]) * x[i] in f32, in element order, with x in f16
// (ggml_vec_dot_f16 without SIMD, but summed in f32) or given widened to f32 (exact, so both give
// the same bits).
#include "bitnet/formats/blocks.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

template <class X>
void dot_rows(const void* w, size_t w_row_bytes, int64_t rows, const X* x, int64_t n, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const auto* wr =
        reinterpret_cast<const fp16_t*>(static_cast<const uint8_t*>(w) + r * w_row_bytes);
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (sizeof(X) == sizeof(fp16_t))
        s += fp16_to_fp32(wr[i]) * fp16_to_fp32(x[i]);
      else
        s += fp16_to_fp32(wr[i]) * x[i];
    }
    out[r] = s;
  }
}

}  // namespace

void dot_f16_f16_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* /*next*/) {
  dot_rows(w, w_row_bytes, rows, static_cast<const fp16_t*>(x), n, out);
}

void dot_f16_f32_1x1__scalar(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                             int64_t n, float* out, const void* /*next*/) {
  dot_rows(w, w_row_bytes, rows, static_cast<const float*>(x), n, out);
}

}  // namespace bitnet::kernels
