// The suite's own --bitnet_* flags and BITNET_* environment, parsed before Google Benchmark's.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitnet/kernels/kernel.h"

namespace bitnet::bench {

enum class Mode { kDefault, kQuick, kFull };
const char* mode_name(Mode m);  // "default", "quick", "full"

struct Options {
  Mode mode = Mode::kDefault;
  std::vector<std::string>
      models;  // --bitnet_model (repeatable) or $BITNET_GGUF; empty = synthetic
  // --bitnet_models=LIST: the real-model shapes whose synthetic models decode/prefill run
  // (fixtures shape names, or "all"); empty = the mode's default (full: all of them).
  std::vector<std::string> model_shapes;
  std::vector<std::string> peers;  // --bitnet_peer=llama.cpp:DIR|bitnet.cpp:DIR (repeatable)
  std::vector<int> threads;        // thread counts to run; default {1, available CPUs}
  std::optional<Isa> isa;          // --bitnet_isa: pins dispatch and restricts kernel rows
  bool refresh_probe = false;      // --bitnet_probe: re-measure the machine limits and exit
  std::string prompt_file;         // --bitnet_prompt_file: decode/prefill from this text
  bool help = false;               // --help: our usage (then Google Benchmark's)
  bool deterministic = false;      // BITNET_DETERMINISTIC=1
  uint64_t seed = 0;               // BITNET_SEED, else 1 when deterministic, else random
};

// Thrown for a bad --bitnet_* flag or BITNET_* variable; the message names it.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Removes every --bitnet_* argument from argv (argc updated) and returns the options. Unknown
// --bitnet_* flags, malformed values and an ISA this CPU lacks throw UsageError.
// `available_cpus` is the default maximum thread count.
Options parse_options(int* argc, char** argv, int available_cpus);

// The usage text of our flags.
std::string options_usage();

// The options of this run (set once by main before registration).
const Options& run_options();
void set_run_options(const Options& o);

// CPUs this process may run on (sched_getaffinity), at least 1.
int available_cpus();

}  // namespace bitnet::bench
