// The body of the SIMD attn_pv kernels (f16_avx2.cc, f16_avx512.cc): ref/attn_pv_f16.cc's order
// (a fused multiply-add per row, rows in order), so its bits. Rows go in blocks of kRows; per
// block, 4 vectors of outputs of P::kHeads heads stay in registers while each V slice is widened
// once. An ISA supplies only its vector type and six operations (P below).
// Anonymous namespace: the including files are built with ISA flags (matmul/tiles.h).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace bitnet::kernels {
namespace {
namespace attn_pv {

constexpr int64_t kRows = 32;   // rows per block
constexpr int64_t kAhead = 64;  // rows prefetched ahead
constexpr int64_t kTail = 16;   // outputs per step past the last full 4-vector slice

// Outputs [d0, d0 + P::kLanes*C) of heads [j0, j0 + hj) over rows [t0, t1).
// P: V, kLanes, kHeads, load(float*), zero(), store(float*, V), widen(f16 bytes), set1, fmadd.
template <class P, int C>
void slice(const float* p, int64_t p_stride, int64_t j0, int hj, const uint8_t* v, size_t row_bytes,
           int64_t t0, int64_t t1, int64_t d0, float* out, int64_t out_stride) {
  typename P::V acc[P::kHeads][C];
  for (int j = 0; j < P::kHeads; ++j)
    for (int c = 0; c < C; ++c)
      acc[j][c] = j < hj ? P::load(out + (j0 + j) * out_stride + d0 + P::kLanes * c) : P::zero();
  for (int64_t t = t0; t < t1; ++t) {
    const uint8_t* vt = v + t * row_bytes + 2 * d0;
    typename P::V vv[C];
    for (int c = 0; c < C; ++c) vv[c] = P::widen(vt + 2 * P::kLanes * c);
    for (int j = 0; j < P::kHeads; ++j) {
      if (j >= hj) break;
      const typename P::V w = P::set1(p[(j0 + j) * p_stride + t]);
      for (int c = 0; c < C; ++c) acc[j][c] = P::fmadd(w, vv[c], acc[j][c]);
    }
  }
  for (int j = 0; j < hj; ++j)
    for (int c = 0; c < C; ++c)
      P::store(out + (j0 + j) * out_stride + d0 + P::kLanes * c, acc[j][c]);
}

template <class P>
void rows(const float* p, int64_t p_stride, int64_t heads, const void* v, size_t row_bytes,
          int64_t n_rows, int64_t n, float* out, int64_t out_stride) {
  static_assert(kTail % P::kLanes == 0);
  const auto* vb = static_cast<const uint8_t*>(v);
  for (int64_t t0 = 0; t0 < n_rows; t0 += kRows) {
    const int64_t t1 = std::min(n_rows, t0 + kRows);
    for (int64_t t = t0 + kAhead; t < std::min(n_rows, t1 + kAhead); ++t)
      for (int64_t b = 0; b < n * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(vb + t * row_bytes + b), _MM_HINT_T0);
    for (int64_t j0 = 0; j0 < heads; j0 += P::kHeads) {
      const int hj = static_cast<int>(std::min<int64_t>(P::kHeads, heads - j0));
      int64_t d0 = 0;
      for (; d0 + 4 * P::kLanes <= n; d0 += 4 * P::kLanes)
        slice<P, 4>(p, p_stride, j0, hj, vb, row_bytes, t0, t1, d0, out, out_stride);
      for (; d0 < n; d0 += kTail)
        slice<P, kTail / P::kLanes>(p, p_stride, j0, hj, vb, row_bytes, t0, t1, d0, out,
                                    out_stride);
    }
  }
}

}  // namespace attn_pv
}  // namespace
}  // namespace bitnet::kernels
