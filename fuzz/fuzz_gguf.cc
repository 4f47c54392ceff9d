// libFuzzer target for the GGUF reader: any input must parse or throw gguf::Error, and a parsed
// file must survive data() on every tensor and the text/JSON dumps. Build: the `fuzz` preset.
#include <cstddef>
#include <cstdint>
#include <span>

#include "bitnet/gguf/dump.h"
#include "bitnet/gguf/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bitnet::gguf;
  try {
    const File f = File::from_bytes(std::span<const uint8_t>(data, size), "fuzz.gguf");
    for (const auto& t : f.tensors()) {
      try {
        const auto d = f.data(t);
        if (d.size() != t.nbytes) __builtin_trap();
        if (!d.empty() && (d.data() < f.bytes().data() ||
                           d.data() + d.size() > f.bytes().data() + f.bytes().size())) {
          __builtin_trap();
        }
      } catch (const Error&) {
        if (t.known_type()) __builtin_trap();  // only unknown types may refuse data()
      }
    }
    (void)describe_text(f, 4);
    (void)describe_json(f, 4).dump(-1, ' ', false,
                                   nlohmann::ordered_json::error_handler_t::replace);
  } catch (const Error&) {
    // Rejected input: the expected outcome for most mutants.
  }
  return 0;
}
