// Architectures without probe loops of their own: portable reads, no int8 peak.
#include "bitnet/bench/probe.h"

namespace bitnet::bench {

ReadLoop fast_read_loop() {
  return read_bytes_generic;
}

Int8PeakLoop int8_peak_loop(Isa) {
  return nullptr;
}

std::span<const Isa> int8_peak_isas() {
  return {};
}

}  // namespace bitnet::bench
