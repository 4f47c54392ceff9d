// x86-64's probe loops: AVX2 reads where the CPU has AVX2; int8 peaks from vpmaddubsw (avx2) and
// vpdpbusd (avx512vnni).
#include <array>

#include "bitnet/bench/probe.h"
#include "bitnet/kernels/cpu.h"

namespace bitnet::bench {

ReadLoop fast_read_loop() {
  return cpu_has(Isa::kAvx2) ? read_bytes_avx2 : read_bytes_generic;
}

Int8PeakLoop int8_peak_loop(Isa isa) {
  if (isa == Isa::kAvx2) return int8_peak_avx2;
  if (isa == Isa::kAvx512Vnni) return int8_peak_avx512vnni;
  return nullptr;
}

std::span<const Isa> int8_peak_isas() {
  static constexpr std::array<Isa, 2> isas = {Isa::kAvx2, Isa::kAvx512Vnni};
  return isas;
}

}  // namespace bitnet::bench
