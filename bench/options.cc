#include "bitnet/bench/options.h"

#include "bitnet/kernels/threadpool.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string_view>

#include "bitnet/fixtures/synthetic.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::bench {

namespace {
Options g_options;
}  // namespace

const Options& run_options() {
  return g_options;
}
void set_run_options(const Options& o) {
  g_options = o;
}

namespace {

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<int> parse_threads(std::string_view text) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    auto v = parse_int(item);
    const int cap = ThreadPool::max_threads();
    if (!v || *v < 1 || *v > cap)
      throw UsageError("--bitnet_threads=" + std::string(text) + ": '" + std::string(item) +
                       "' is not a thread count in 1.." + std::to_string(cap) + " (" +
                       std::to_string(ThreadPool::kMaxThreadsPerCpu) + " per CPU, at least " +
                       std::to_string(ThreadPool::kMinThreadCap) + "; give N or a list like 1,2)");
    if (std::find(out.begin(), out.end(), static_cast<int>(*v)) == out.end())
      out.push_back(static_cast<int>(*v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kQuick:
      return "quick";
    case Mode::kFull:
      return "full";
    default:
      return "default";
  }
}

int available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return 1;
}

// "a,b" -> the named real-model shapes; "all" -> every one. Unknown names are a usage error.
std::vector<std::string> parse_model_shapes(std::string_view list) {
  std::vector<std::string> real;
  for (const auto& m : fixtures::real_model_shapes()) real.push_back(m.name);
  if (list == "all") return real;
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name(list.substr(start, comma - start));
    if (std::find(real.begin(), real.end(), name) == real.end()) {
      std::string known;
      for (const auto& r : real) known += (known.empty() ? "" : ", ") + r;
      throw UsageError("--bitnet_models: unknown model shape '" + name + "' (known: " + known +
                       ", or all)");
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    start = comma + 1;
  }
  return out;
}

std::string options_usage() {
  return R"(bitnet_benches: the BitNet kernel and decode benchmark suite (Google Benchmark).
Our flags (parsed before Google Benchmark's; unknown --bitnet_* flags are an error):
  --bitnet_model=SPEC     model for decode/prefill (repeatable): a .gguf path, a manifest id, or a
                          fixtures spec such as synthetic:2b4t:i2_s. Default: $BITNET_GGUF if set,
                          else synthetic 2B4T in TQ2_0 and I2_S (generated once into the cache).
  --bitnet_models=LIST    decode/prefill on the synthetic models of these real-model shapes
                          (comma-separated: bitnet-0.7b, falcon3-1b, 2b4t, 3b, falcon3-3b,
                          falcon3-7b, 8b, falcon3-10b, or all): TQ2_0 (llama.cpp's Q4_0
                          fallback where rows need it) and I2_S where rows allow. Generated
                          lazily into the cache (8b / falcon3-10b: several GB and minutes).
                          Default: 2B4T only; --bitnet_full: all of them.
  --bitnet_peer=NAME:DIR  also time a peer's kernels beside ours (repeatable; NAME llama.cpp or
                          bitnet.cpp, DIR its build's bin/). Default: $LLAMA_CPP_DIR and
                          $BITNET_CPP_DIR when set; neither: no peer rows (docs/compare.md).
  --bitnet_threads=N|A,B  thread counts (default: 1 and every available CPU), honoured exactly.
  --bitnet_isa=ISA        pin dispatch to ISA (scalar|sse41|avx2|avx512|avx512vnni) and run only
                          that ISA's kernels; an ISA this CPU lacks is an error.
  --bitnet_quick          small representative subset (CI smoke, < 60 s).
  --bitnet_full           the full cross product (every kernel at every shape).
  --bitnet_probe          re-measure this machine's limits (DRAM/cache bandwidth, int8 peak),
                          rewrite the cached probe and exit.
  --bitnet_prompt_file=F  decode/prefill from the text in F, tokenized by each model's tokenizer
                          (as bitnet-run -f): prefill/<model>/tokens:L is the L-token prompt,
                          decode/<model>/pos:L its greedy continuation. Models are resolved at
                          start to tokenize it.
  --version               print the version and git commit and exit (docs/cli.md).
Environment: BITNET_DETERMINISTIC=1 fixes every random input (seed 1 unless BITNET_SEED is set);
BITNET_SEED=N seeds every random input; BITNET_GGUF=PATH is the default model; BITNET_CACHE is
the cache directory. Every run records its seed and settings in the JSON context.
Google Benchmark 1.7.1 notes: --benchmark_min_time takes a bare number of seconds (0.5, not 0.5s).
)";
}

Options parse_options(int* argc, char** argv, int cpus) {
  Options o;
  int out = 1;
  bool quick = false, full = false;
  std::vector<std::string> models;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") o.help = true;
    if (!arg.starts_with("--bitnet_")) {
      argv[out++] = argv[i];
      continue;
    }
    std::string_view name = arg.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto need_value = [&] {
      if (!has_value || value.empty())
        throw UsageError("--" + std::string(name) + " needs a value (--" + std::string(name) +
                         "=...)");
    };
    auto no_value = [&] {
      if (has_value)
        throw UsageError("--" + std::string(name) + " takes no value (got '" + std::string(value) +
                         "')");
    };
    if (name == "bitnet_model") {
      need_value();
      models.emplace_back(value);
    } else if (name == "bitnet_models") {
      need_value();
      o.model_shapes = parse_model_shapes(value);
    } else if (name == "bitnet_peer") {
      need_value();
      o.peers.emplace_back(value);
    } else if (name == "bitnet_threads") {
      need_value();
      o.threads = parse_threads(value);
    } else if (name == "bitnet_isa") {
      need_value();
      auto isa = isa_from_name(value);
      if (!isa)
        throw UsageError("--bitnet_isa=" + std::string(value) +
                         ": unknown ISA (valid: " + valid_isa_names() + ")");
      if (!cpu_has(*isa))
        throw UsageError("--bitnet_isa=" + std::string(value) + ": CPU lacks " +
                         std::string(isa_name(*isa)) + " (" + cpu_model_name() +
                         "; features: " + cpu_features_string() + ")");
      o.isa = isa;
    } else if (name == "bitnet_quick") {
      no_value();
      quick = true;
    } else if (name == "bitnet_full") {
      no_value();
      full = true;
    } else if (name == "bitnet_probe") {
      no_value();
      o.refresh_probe = true;
    } else if (name == "bitnet_prompt_file") {
      need_value();
      o.prompt_file = value;
    } else {
      throw UsageError("unknown flag --" + std::string(name) + " (see --help)");
    }
  }
  argv[out] = nullptr;
  *argc = out;
  if (quick && full) throw UsageError("--bitnet_quick and --bitnet_full exclude each other");
  o.mode = quick ? Mode::kQuick : full ? Mode::kFull : Mode::kDefault;

  if (models.empty()) {
    if (const char* g = std::getenv("BITNET_GGUF"); g && *g) models.emplace_back(g);
  }
  o.models = std::move(models);
  if (o.threads.empty()) {
    o.threads.push_back(1);
    if (cpus > 1) o.threads.push_back(cpus);
  }

  if (const char* d = std::getenv("BITNET_DETERMINISTIC"); d && *d) {
    std::string_view v = d;
    if (v == "1" || v == "true" || v == "yes") {
      o.deterministic = true;
    } else if (!(v == "0" || v == "false" || v == "no")) {
      throw UsageError("BITNET_DETERMINISTIC='" + std::string(v) + "': expected 1 or 0");
    }
  }
  if (const char* s = std::getenv("BITNET_SEED"); s && *s) {
    auto v = parse_int(s);
    if (!v || *v < 0)
      throw UsageError("BITNET_SEED='" + std::string(s) + "': not a non-negative integer");
    o.seed = static_cast<uint64_t>(*v);
  } else if (o.deterministic) {
    o.seed = 1;
  } else {
    std::random_device rd;
    o.seed = (static_cast<uint64_t>(rd()) << 32) | rd();
  }
  return o;
}

}  // namespace bitnet::bench
