// AVX2 + FMA + F16C versions of dense_dot.h (compiled with bitnet_isa_sources(... avx2 ...)).
// Only reached through dot_fns() after the CPU check.
#include <immintrin.h>

#include <cmath>

#include "dense_dot.h"

namespace bitnet::model::detail {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

inline __m256 load_f16(const fp16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline __m256 load8(const fp16_t* p) {
  return load_f16(p);
}
inline __m256 load8(const float* p) {
  return _mm256_loadu_ps(p);
}
inline float to_f32(fp16_t h) {
  return _cvtsh_ss(h);
}
inline float to_f32(float f) {
  return f;
}

// ggml_vec_dot_f16's AVX2 scheme for f32 or f16 operands: four 8-lane accumulators over 32-element
// steps, summed (a0 + a1) + (a2 + a3), then the tail in order.
template <class T>
inline float dot1(const T* w, const T* x, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_fmadd_ps(load8(w + i), load8(x + i), a0);
    a1 = _mm256_fmadd_ps(load8(w + i + 8), load8(x + i + 8), a1);
    a2 = _mm256_fmadd_ps(load8(w + i + 16), load8(x + i + 16), a2);
    a3 = _mm256_fmadd_ps(load8(w + i + 24), load8(x + i + 24), a3);
  }
  float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; ++i) s += to_f32(w[i]) * to_f32(x[i]);
  return s;
}

float dot_f32_avx2(const float* w, const float* x, int64_t n) {
  return dot1(w, x, n);
}

float dot_f16_avx2(const fp16_t* w, const fp16_t* x, int64_t n) {
  return dot1(w, x, n);
}

// Two rows (f16 or f32) of the 4-accumulator dot of ggml_vec_dot_f16 / dot_f32_avx2 against x in
// f32, sharing the loads of x: per row the same accumulators updated in the same order, so each
// result equals the one-row function's bit for bit. pf != 0: 4n bytes to prefetch over the call
// (the caller's next row pair, f16).
template <class T>
inline void dot2_rows(const T* w0, const T* w1, const float* x, int64_t n, float* out,
                      uintptr_t pf) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    if (pf != 0) {  // 128 bytes of the next pair per step, as this step reads 128
      _mm_prefetch(reinterpret_cast<const char*>(pf + 4 * i), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(pf + 4 * i + 64), _MM_HINT_T0);
    }
    const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
    const __m256 x2 = _mm256_loadu_ps(x + i + 16), x3 = _mm256_loadu_ps(x + i + 24);
    a0 = _mm256_fmadd_ps(load8(w0 + i), x0, a0);
    b0 = _mm256_fmadd_ps(load8(w1 + i), x0, b0);
    a1 = _mm256_fmadd_ps(load8(w0 + i + 8), x1, a1);
    b1 = _mm256_fmadd_ps(load8(w1 + i + 8), x1, b1);
    a2 = _mm256_fmadd_ps(load8(w0 + i + 16), x2, a2);
    b2 = _mm256_fmadd_ps(load8(w1 + i + 16), x2, b2);
    a3 = _mm256_fmadd_ps(load8(w0 + i + 24), x3, a3);
    b3 = _mm256_fmadd_ps(load8(w1 + i + 24), x3, b3);
  }
  float s0 = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  float s1 = hsum(_mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3)));
  for (; i < n; ++i) {
    s0 += to_f32(w0[i]) * x[i];
    s1 += to_f32(w1[i]) * x[i];
  }
  out[0] = s0;
  out[1] = s1;
}

// The lm_head's pair of F16 rows. Prefetching the next pair one pair ahead keeps the DRAM stream
// busy where a fixed distance inside the rows did not: lm_head per token (2 threads, 2B4T F16
// embedding) no prefetch 43.6 ms, 1 KiB ahead 40.4, next pair 31.2.
void dot2_f16_f32_avx2(const fp16_t* w0, const fp16_t* w1, const float* xw, int64_t n, float* out,
                       const void* next) {
  // Integer arithmetic: `next` may lie past the tensor (last pair), harmless for a prefetch.
  dot2_rows(w0, w1, xw, n, out, reinterpret_cast<uintptr_t>(next));
}

// Q6_K: 6-bit unsigned codes u (q = u - 32) times signed Q8_K with maddubs; the -32 offset is
// removed with the Q8_K block sums. The per-block int32 equals the scalar one exactly.
float dot_q6k_q8k_avx2(const block_q6_K* w, const block_q8_K* x, int64_t nb, const void* next) {
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  const __m256i m2 = _mm256_set1_epi8(0x30);
  const __m128i pair_mask = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  const uintptr_t pf = reinterpret_cast<uintptr_t>(next);  // may lie past the tensor: integers
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    if (pf != 0)  // the next row's block b: 210 bytes, 4 lines
      for (uintptr_t off = 0; off < sizeof(block_q6_K); off += 64)
        _mm_prefetch(reinterpret_cast<const char*>(pf + b * sizeof(block_q6_K) + off), _MM_HINT_T0);
    const uint8_t* ql = w[b].ql;
    const uint8_t* qh = w[b].qh;
    const int8_t* q8 = x[b].qs;
    // The 16 sub-block scales once per block; the -32 offset of the codes as Σ scale * bsums
    // (one vpmaddwd instead of 16 scalar products). Integer sums: same isum in any order.
    const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].scales));
    const __m256i offset =
        _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].bsums)));
    __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5));
    for (int half = 0; half < 2; ++half) {
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
      const __m256i u[4] = {
          _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(h, 4), m2)),
          _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(h, 2), m2)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(h, m2)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                          _mm256_and_si256(_mm256_srli_epi16(h, 2), m2)),
      };
      for (int g = 0; g < 4; ++g) {
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 32 * g));
        const __m256i p = _mm256_maddubs_epi16(u[g], y);  // |.| <= 2*63*128: no saturation
        // Scales 8*half + 2g and the next, each for 8 int16 lanes (16 elements).
        const __m128i pick =
            _mm_add_epi8(pair_mask, _mm_set1_epi8(static_cast<char>(8 * half + 2 * g)));
        const __m256i s = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, pick));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, s));
      }
      ql += 64;
      qh += 32;
      q8 += 128;
    }
    const int32_t isum = hsum_i32(sumi);
    acc += (_cvtsh_ss(w[b].d) * x[b].d) * static_cast<float>(isum);
  }
  return acc;
}

void axpy_f16_avx2(float a, const fp16_t* v, float* out, int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_fmadd_ps(va, load_f16(v + i), _mm256_loadu_ps(out + i)));
  for (; i < n; ++i) out[i] += a * _cvtsh_ss(v[i]);
}

void axpy_f32_avx2(float a, const float* v, float* out, int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i,
                     _mm256_fmadd_ps(va, _mm256_loadu_ps(v + i), _mm256_loadu_ps(out + i)));
  for (; i < n; ++i) out[i] += a * v[i];
}

void widen_f16_avx2(const fp16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_f16(src + i));
  for (; i < n; ++i) dst[i] = _cvtsh_ss(src[i]);
}

void dot_f32_rows_avx2(const float* rows, int64_t stride, int64_t count, const float* x, int64_t n,
                       float* out) {
  int64_t t = 0;
  for (; t + 2 <= count; t += 2)
    dot2_rows(rows + t * stride, rows + (t + 1) * stride, x, n, out + t, 0);
  for (; t < count; ++t) out[t] = dot_f32_avx2(rows + t * stride, x, n);
}

// out += p[t] * row t for t in order, with the accumulators in registers across the rows (64
// outputs at a time): per element the same fmadd sequence as repeated axpy_f32_avx2 calls.
void axpy_rows_f32_avx2(const float* p, const float* rows, int64_t stride, int64_t count,
                        float* out, int64_t n) {
  int64_t d = 0;
  for (; d + 64 <= n; d += 64) {
    __m256 acc[8];
    for (int k = 0; k < 8; ++k) acc[k] = _mm256_loadu_ps(out + d + 8 * k);
    for (int64_t t = 0; t < count; ++t) {
      const __m256 pt = _mm256_set1_ps(p[t]);
      const float* v = rows + t * stride + d;
      for (int k = 0; k < 8; ++k) acc[k] = _mm256_fmadd_ps(pt, _mm256_loadu_ps(v + 8 * k), acc[k]);
    }
    for (int k = 0; k < 8; ++k) _mm256_storeu_ps(out + d + 8 * k, acc[k]);
  }
  if (d < n)  // the rest, row by row (axpy_f32_avx2 on the tail columns)
    for (int64_t t = 0; t < count; ++t) axpy_f32_avx2(p[t], rows + t * stride + d, out + d, n - d);
}

// e^x for x <= 0 (Cephes expf: x = n ln2 + r, |r| <= ln2/2, degree-5 polynomial, times 2^n);
// 0 below -87.33 where 2^n would leave the normal range.
inline __m256 exp_nonpositive(__m256 x) {
  const __m256 too_small = _mm256_cmp_ps(x, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ);
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.33654f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i scale =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_andnot_ps(too_small, _mm256_mul_ps(y, _mm256_castsi256_ps(scale)));
}

double exp_sum_avx2(float* s, int64_t n, float max) {
  const __m256 vmax = _mm256_set1_ps(max);
  double sum = 0.0;
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(s + t), vmax));
    _mm256_storeu_ps(s + t, e);
    for (int k = 0; k < 8; ++k) sum += s[t + k];  // in order, as the scalar path
  }
  for (; t < n; ++t) {
    s[t] = std::exp(s[t] - max);
    sum += s[t];
  }
  return sum;
}

void round_f16_avx2(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), 0)));
  for (; i < n; ++i) x[i] = _cvtsh_ss(_cvtss_sh(x[i], 0));
}

constexpr DotFns kAvx2{
    "avx2",        dot_f32_avx2,  dot_f16_avx2,   dot2_f16_f32_avx2, dot_q6k_q8k_avx2,
    axpy_f16_avx2, axpy_f32_avx2, widen_f16_avx2, dot_f32_rows_avx2, axpy_rows_f32_avx2,
    exp_sum_avx2,  round_f16_avx2};

}  // namespace

const DotFns* dot_fns_avx2() {
  return &kAvx2;
}

}  // namespace bitnet::model::detail
