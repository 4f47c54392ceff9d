// aarch64's probe loops: NEON reads (Advanced SIMD is in every ARMv8-A CPU); int8 peaks from
// SMLAL (neon) and SDOT (dotprod).
#include <array>

#include "bitnet/bench/probe.h"
#include "bitnet/kernels/cpu.h"

namespace bitnet::bench {

ReadLoop fast_read_loop() {
  return cpu_has(Isa::kNeon) ? read_bytes_neon : read_bytes_generic;
}

Int8PeakLoop int8_peak_loop(Isa isa) {
  if (isa == Isa::kNeon) return int8_peak_neon;
  if (isa == Isa::kDotprod) return int8_peak_dotprod;
  return nullptr;
}

std::span<const Isa> int8_peak_isas() {
  static constexpr std::array<Isa, 2> isas = {Isa::kNeon, Isa::kDotprod};
  return isas;
}

}  // namespace bitnet::bench
