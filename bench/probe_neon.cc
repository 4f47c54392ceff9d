// NEON loops of the machine probe (compiled with the neon flags; called only when cpu_has(kNeon)).
#include <arm_neon.h>

#include "bitnet/bench/probe.h"

namespace bitnet::bench {

uint64_t read_bytes_neon(const uint8_t* p, size_t n) {
  // Four independent accumulators so the adds never limit the load rate.
  uint64x2_t a0 = vdupq_n_u64(0), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = vaddq_u64(a0, vreinterpretq_u64_u8(vld1q_u8(p + i)));
    a1 = vaddq_u64(a1, vreinterpretq_u64_u8(vld1q_u8(p + i + 16)));
    a2 = vaddq_u64(a2, vreinterpretq_u64_u8(vld1q_u8(p + i + 32)));
    a3 = vaddq_u64(a3, vreinterpretq_u64_u8(vld1q_u8(p + i + 48)));
  }
  uint64_t sum = vaddvq_u64(vaddq_u64(vaddq_u64(a0, a1), vaddq_u64(a2, a3)));
  for (; i < n; ++i) sum += p[i];
  return sum;
}

uint64_t int8_peak_neon(uint64_t iterations, uint64_t* ops) {
  // SMLAL/SMLAL2 throughput (the widening int8 multiply-accumulate of baseline NEON): 8
  // independent multiplies per iteration into 4 int16 accumulators; the empty asm makes the
  // operands opaque each iteration so nothing is hoisted.
  int8x16_t a0 = vdupq_n_s8(1), a1 = vdupq_n_s8(2), a2 = vdupq_n_s8(3), a3 = vdupq_n_s8(4),
            b = vdupq_n_s8(-2);
  int16x8_t c0 = vdupq_n_s16(0), c1 = c0, c2 = c0, c3 = c0;
  for (uint64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+w"(a0), "+w"(a1), "+w"(a2), "+w"(a3), "+w"(b));
    c0 = vmlal_s8(c0, vget_low_s8(a0), vget_low_s8(b));
    c1 = vmlal_high_s8(c1, a0, b);
    c2 = vmlal_s8(c2, vget_low_s8(a1), vget_low_s8(b));
    c3 = vmlal_high_s8(c3, a1, b);
    c0 = vmlal_s8(c0, vget_low_s8(a2), vget_low_s8(b));
    c1 = vmlal_high_s8(c1, a2, b);
    c2 = vmlal_s8(c2, vget_low_s8(a3), vget_low_s8(b));
    c3 = vmlal_high_s8(c3, a3, b);
  }
  const int16x8_t s = veorq_s16(veorq_s16(c0, c1), veorq_s16(c2, c3));
  *ops = iterations * 8 * 8 * 2;  // 8 int8 multiply-adds per SMLAL, 2 ops each
  return vgetq_lane_u64(vreinterpretq_u64_s16(s), 0);
}

}  // namespace bitnet::bench
