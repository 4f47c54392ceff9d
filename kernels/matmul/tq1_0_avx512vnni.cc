// TQ1_0 weights x Q8_K activations, AVX-512 VNNI vpdpbusd: the GEMV (decode) path. Exact
// contract: kernel.h (bit-identical to kernels/ref/matmul_tq1_0.cc; tests/test_kernels_matmul.cc
// runs it on CPUs with AVX512_VNNI and skips it elsewhere).
//
// Why not the TQ2_0 layout: decoding TQ1_0's base-3 digits back into element order (as the AVX2
// kernel does) costs shuffles and inserts on every block of every row. Here each register is
// one digit position instead: the block's 52 code bytes (qs[0..47], qh[0..3]) sit in the lanes
// of one register, and the activations are permuted to match, once per call and column, into a
// scratch copy: digit vector n pairs lane i with element
//   i < 32: 32n + i;  32 <= i < 48: 160 + 16n + (i - 32);  48 <= i < 52 (n < 4): 240 + 4n + i - 48
// (the reference's element order, ref_common.h), zeros elsewhere (lanes 52..63 hold no codes,
// qh has only 4 digits).
//
// No digit is ever extracted. With q_n = b * 3^n mod 256 (repeated byte adds), the reference's
// digit d_n = floor(3 q_n / 256) is the carry of 3 q_n, so 256 d_n = 3 q_n - q_{n+1} exactly, and
//   256 Σ_n d_n a_n = 3 Σ_{n=0..4} q_n a_n - Σ_{n=1..5} q_n a_{n-1}
// with unsigned q_n bytes against int8 activations: ten vpdpbusd and ten byte adds per block and
// row, two int32 accumulators (|3 S3 - S1| < 2^26). Σq (the +1 code offset) is counted from the
// block's own int8 activations, so it holds for any bytes; the per-block f32 epilogue is the TQ
// tiles' (epilogue_avx2.h), 4 rows at a time.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "avx2_util.h"
#include "bitnet/formats/blocks.h"
#include "dpbusd_avx512vnni.h"
#include "kernels_decl.h"

namespace bitnet::kernels {
namespace {

constexpr int kDigits = 5;
constexpr size_t kCodeBytes = 52;  // qs[48] + qh[4]
// A packed activation block: d (f32) at 0, Σq (int32) at 4, digit vector n at 64 + 64n.
constexpr size_t kPackedBlock = 64 + 64 * kDigits;

void pack_column(const uint8_t* xcol, int64_t nb, uint8_t* dst) {
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* xb = xcol + b * static_cast<int64_t>(sizeof(block_q8_K));
    uint8_t* pb = dst + b * static_cast<int64_t>(kPackedBlock);
    const int8_t* q = reinterpret_cast<const int8_t*>(xb + offsetof(block_q8_K, qs));
    std::memset(pb, 0, kPackedBlock);
    std::memcpy(pb, xb + offsetof(block_q8_K, d), sizeof(float));
    const __m512i ones = _mm512_set1_epi8(1);
    __m512i qs = _mm512_setzero_si512();
    for (int i = 0; i < 4; ++i) qs = _mm512_dpbusd_epi32(qs, ones, _mm512_loadu_si512(q + 64 * i));
    const int32_t qsum = _mm512_reduce_add_epi32(qs);
    std::memcpy(pb + 4, &qsum, sizeof qsum);
    for (int n = 0; n < kDigits; ++n) {
      uint8_t* v = pb + 64 + 64 * n;
      std::memcpy(v, q + 32 * n, 32);
      std::memcpy(v + 32, q + 160 + 16 * n, 16);
      if (n < 4) std::memcpy(v + 48, q + 240 + 4 * n, 4);
    }
  }
}

inline __m512i times3(__m512i v) {
  return _mm512_add_epi8(v, _mm512_add_epi8(v, v));
}

// The two sums of the identity above: s3 = Σ q_n a_n, s1 = Σ q_n a_{n-1}.
struct Sums {
  __m512i s3, s1;
};

struct Tq1Dpbusd : TqFormat<block_tq1_0> {
  using Sum = Sums;
  static constexpr int64_t kStepBlocks = 1;
  static constexpr int64_t kGroupBlocks = 1;
  static constexpr size_t kXBlock = kPackedBlock;  // xb points into the packed copy

  template <int R, int C>
  static void group_begin(const uint8_t* const (&)[C], Sum (&s)[R][C]) {
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) s[r][c] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
  }
  template <int R, int C>
  static void step(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C], Sum (&s)[R][C]) {
    constexpr __mmask64 kCodes = (__mmask64{1} << kCodeBytes) - 1;
    __m512i q[R];
    for (int r = 0; r < R; ++r) q[r] = _mm512_maskz_loadu_epi8(kCodes, wb[r]);
    const auto y = [&](int c, int n) { return _mm512_loadu_si512(xb[c] + 64 + 64 * n); };
    for (int n = 0; n <= kDigits; ++n) {
      if (n > 0)
        for (int r = 0; r < R; ++r) q[r] = times3(q[r]);
      for (int c = 0; c < C; ++c) {
        if (n < kDigits) {
          const __m512i yn = y(c, n);
          for (int r = 0; r < R; ++r) s[r][c].s3 = _mm512_dpbusd_epi32(s[r][c].s3, q[r], yn);
        }
        if (n > 0) {
          const __m512i yp = y(c, n - 1);
          for (int r = 0; r < R; ++r) s[r][c].s1 = _mm512_dpbusd_epi32(s[r][c].s1, q[r], yp);
        }
      }
    }
  }
  template <int R, int C>
  static void group_end(const uint8_t* const (&wb)[R], const uint8_t* const (&xb)[C],
                        const Sum (&s)[R][C], Acc<R, C>& acc) {
    tq_block_epilogue<R, C>(
        wb, kWD, xb,
        [&](int g, int c) {
          int32_t qsum;
          std::memcpy(&qsum, xb[c] + 4, sizeof qsum);
          const __m128i cq = hsum_rows<R, false>(g, [&](int r) {
            const __m512i t = _mm512_add_epi32(s[r][c].s3, s[r][c].s3);
            return fold512(_mm512_sub_epi32(_mm512_add_epi32(t, s[r][c].s3), s[r][c].s1));
          });
          // 256 x the exact sum of digit * activation.
          return _mm_sub_epi32(_mm_srai_epi32(cq, 8), _mm_set1_epi32(qsum));
        },
        acc);
  }
};

// Packs every column (each thread its own copy: a few KB per column, against M rows of weights),
// then runs the tiles over the packed copy.
template <int TM, int TN>
void run(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  static thread_local std::vector<uint8_t> packed;
  const int64_t nb = a.K / kQK_K;
  const size_t col_bytes = static_cast<size_t>(nb) * kPackedBlock;
  packed.resize(col_bytes * static_cast<size_t>(a.x.N));
  for (int64_t n = 0; n < a.x.N; ++n)
    pack_column(a.x.data + n * static_cast<int64_t>(a.x.col_bytes), nb,
                packed.data() + n * static_cast<int64_t>(col_bytes));
  MatmulArgs p = a;
  p.x.data = packed.data();
  p.x.col_bytes = col_bytes;
  run_tiles<PolicyTile<Tq1Dpbusd>::template Tile, TM, TN>(p, m_begin, m_end);
}

}  // namespace

void matmul_tq1_0_q8k_4x1__avx512vnni(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  run<4, 1>(a, m_begin, m_end);
}

}  // namespace bitnet::kernels
