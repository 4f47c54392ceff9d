// F32 weights . F32 activations, AVX2 + FMA (dot_avx2.h): ggml_vec_dot_f32's 4-accumulator scheme,
// rows in pairs sharing the activation loads (the attention's K rows, the F32 model's linears).
#include "dot_avx2.h"
#include "kernels_decl.h"

namespace bitnet::kernels {

void dot_f32_f32_2x1__avx2(const void* w, size_t w_row_bytes, int64_t rows, const void* x,
                           int64_t n, float* out, const void* next) {
  dot_rows<float>(w, w_row_bytes, rows, static_cast<const float*>(x), n, out, next);
}

}  // namespace bitnet::kernels
