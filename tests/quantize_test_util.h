// What the bitnet-quantize tests share: comparing an I2_S file with bitnet.cpp's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bitnet/formats/types.h"
#include "bitnet/gguf/gguf.h"

namespace bitnet::testing {

// bitnet.cpp's I2_S files hold stale bytes n/4 + 4 .. n/4 + 31 after each tensor's scale (n: the
// tensor's elements). Zeroes them in both byte strings, at the tensor offsets of the file
// `got_path` (whose bytes `got` are), so the rest compares exactly; returns how many I2_S
// tensors were blanked.
template <class Bytes>
int blank_i2s_stale_bytes(const std::string& got_path, Bytes& got, Bytes& want) {
  const auto file = gguf::File::open(got_path);
  int blanked = 0;
  for (const auto& t : file.tensors()) {
    if (t.type != static_cast<uint32_t>(TypeId::kI2_S)) continue;
    const size_t at = file.data_offset() + t.offset + static_cast<size_t>(t.nelements() / 4) + 4;
    std::fill(got.begin() + at, got.begin() + at + 28, 0);
    std::fill(want.begin() + at, want.begin() + at + 28, 0);
    ++blanked;
  }
  return blanked;
}

}  // namespace bitnet::testing
