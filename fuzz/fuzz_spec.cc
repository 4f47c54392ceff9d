// libFuzzer target for the spec parser and the cache-path mapping: any text must parse or throw
// fixtures::Error, and any path it maps to must lie inside the cache. Build: the `fuzz` preset.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bitnet/fixtures/cache_path.h"
#include "bitnet/fixtures/fixtures.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fx = bitnet::fixtures;
  const std::string text(reinterpret_cast<const char*>(data), size);
  static const std::string cache = "/nonexistent-fuzz-cache/bitnet-bench";
  try {
    const fx::Spec s = fx::parse_spec(text);
    if (s.kind == fx::Spec::Kind::kHf) {
      // parse_spec accepted the words: the mapping must accept them too, and stay inside.
      const std::string p =
          fx::cache_file_path(cache, {"hf", s.hf_repo, s.revision, s.hf_file}, s.text);
      if (!fx::path_is_inside(cache, p)) __builtin_trap();
    }
  } catch (const fx::Error&) {
    // Rejected: the expected outcome for most inputs.
  }
  return 0;
}
