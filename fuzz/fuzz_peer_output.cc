// libFuzzer target for the peer-output parsers (llama-bench csv/md/json/jsonl, llama-cli
// transcripts, --version lines): any text must parse or throw ParseError, and parsed rows must
// satisfy what the parsers promise. Build: the `fuzz` preset.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bitnet/compare/discovery.h"
#include "bitnet/compare/peer_output.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bc = bitnet::compare;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto f : {bc::BenchFormat::kJson, bc::BenchFormat::kJsonl, bc::BenchFormat::kCsv,
                       bc::BenchFormat::kMarkdown}) {
    try {
      const auto tests = bc::parse_llama_bench(text, f);
      if (tests.empty()) __builtin_trap();  // "no rows" must be an error, never an empty result
      for (const auto& t : tests)
        if (!(t.avg_ts > 0) || t.n_threads <= 0) __builtin_trap();
    } catch (const bc::ParseError&) {
    }
  }
  try {
    (void)bc::parse_llama_bench_any(text);
  } catch (const bc::ParseError&) {
  }
  try {
    (void)bc::parse_cli_timings(text);
  } catch (const bc::ParseError&) {
  }
  try {
    (void)bc::parse_verbose_prompt(text);
  } catch (const bc::ParseError&) {
  }
  (void)bc::find_load_error(text);
  (void)bc::parse_version_output(std::string(text));
  return 0;
}
