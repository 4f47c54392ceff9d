// Dot-product loop of the machine probe (compiled with the dotprod flags; called only when
// cpu_has(kDotprod)).
#include <arm_neon.h>

#include "bitnet/bench/probe.h"

namespace bitnet::bench {

uint64_t int8_peak_dotprod(uint64_t iterations, uint64_t* ops) {
  // SDOT throughput: 8 independent dots per iteration into 4 int32 accumulators; the empty asm
  // makes the operands opaque each iteration so nothing is hoisted.
  int8x16_t a0 = vdupq_n_s8(1), a1 = vdupq_n_s8(2), a2 = vdupq_n_s8(3), a3 = vdupq_n_s8(4),
            a4 = vdupq_n_s8(5), a5 = vdupq_n_s8(6), a6 = vdupq_n_s8(7), a7 = vdupq_n_s8(8),
            b = vdupq_n_s8(-2);
  int32x4_t c0 = vdupq_n_s32(0), c1 = c0, c2 = c0, c3 = c0;
  for (uint64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+w"(a0), "+w"(a1), "+w"(a2), "+w"(a3), "+w"(b));
    __asm__ volatile("" : "+w"(a4), "+w"(a5), "+w"(a6), "+w"(a7));
    c0 = vdotq_s32(c0, a0, b);
    c1 = vdotq_s32(c1, a1, b);
    c2 = vdotq_s32(c2, a2, b);
    c3 = vdotq_s32(c3, a3, b);
    c0 = vdotq_s32(c0, a4, b);
    c1 = vdotq_s32(c1, a5, b);
    c2 = vdotq_s32(c2, a6, b);
    c3 = vdotq_s32(c3, a7, b);
  }
  const int32x4_t s = veorq_s32(veorq_s32(c0, c1), veorq_s32(c2, c3));
  *ops = iterations * 8 * 16 * 2;  // 16 int8 multiply-adds per SDOT, 2 ops each
  return vgetq_lane_u64(vreinterpretq_u64_s32(s), 0);
}

}  // namespace bitnet::bench
