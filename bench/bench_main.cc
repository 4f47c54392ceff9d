// bitnet_benches: parses our --bitnet_* flags, then Google Benchmark's; registers every family
// from the kernel registry and the shape tables; records the run's context; runs.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/context.h"
#include "bitnet/bench/csv_reporter.h"
#include "bitnet/bench/filter.h"
#include "bitnet/bench/gbench_flags.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/options.h"
#include "bitnet/bench/probe.h"
#include "bitnet/cli/app.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"
#include "suite.h"

namespace bitnet::bench {

std::vector<std::string>& registration_notes() {
  static std::vector<std::string> notes;
  return notes;
}
std::vector<std::string>& registered_names() {
  static std::vector<std::string> names;
  return names;
}

namespace {

// The console view of Google Benchmark's ConsoleReporter, except that rate counters whose name
// already says what they are print without the stock "/s": bw_frac / peak_frac (fractions of the
// probed peaks, computed as rates) and GOPS / tokens_per_second. JSON/CSV output is unchanged.
class FractionConsoleReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

 protected:
  void PrintRunData(const Run& run) override {
    Run copy = run;
    for (auto& [name, counter] : copy.counters)
      if (const std::string_view n = name;
          n.ends_with("_frac") || n.ends_with("GOPS") || n == "tokens_per_second")
        counter.flags =
            static_cast<benchmark::Counter::Flags>(counter.flags & ~benchmark::Counter::kIsRate);
    ConsoleReporter::PrintRunData(copy);
  }
};

// The stock console options (color on a terminal unless --benchmark_color=false, tabular counters
// with --benchmark_counters_tabular=true); nullopt when another display format was asked for.
std::optional<benchmark::ConsoleReporter::OutputOptions> console_options(
    const std::vector<std::string>& args) {
  bool color = isatty(STDOUT_FILENO) != 0, tabular = false;
  for (const std::string& arg : args) {
    const std::string_view a = arg;
    if (a.starts_with("--benchmark_format=") && a != "--benchmark_format=console")
      return std::nullopt;
    if (a == "--benchmark_color=false" || a == "--benchmark_color=no") color = false;
    if (a == "--benchmark_color=true" || a == "--benchmark_color=yes") color = true;
    if (a == "--benchmark_counters_tabular=true") tabular = true;
  }
  int o = benchmark::ConsoleReporter::OO_None;
  if (color) o |= benchmark::ConsoleReporter::OO_Color;
  if (tabular) o |= benchmark::ConsoleReporter::OO_Tabular;
  return static_cast<benchmark::ConsoleReporter::OutputOptions>(o);
}

// The value of the last "--flag=value" argument, or fallback.
std::string flag_value(const std::vector<std::string>& args, std::string_view prefix,
                       const std::string& fallback) {
  std::string v = fallback;
  for (const std::string& a : args)
    if (std::string_view(a).starts_with(prefix)) v = a.substr(prefix.size());
  return v;
}

// Default --benchmark_min_time per mode (seconds) when the command line gives none: sized so the
// default run stays within ~10 minutes on a 2-core machine and the quick run within 60 s.
double default_min_time(Mode m) {
  switch (m) {
    case Mode::kQuick:
      return 0.02;
    case Mode::kDefault:
      return 0.05;
    case Mode::kFull:
      return 0.5;
  }
  return 0.5;
}

// True when a registered case that passes `filter` reports bw_frac / peak_frac or is a probe
// row (every family except quant_act). GB prints UseRealTime cases with "/real_time".
bool selection_needs_limits(const std::string& filter) {
  for (const std::string& n : registered_names()) {
    if (n.starts_with("quant_act/")) continue;
    if (filter_matches(filter, n) || filter_matches(filter, n + "/real_time")) return true;
  }
  return false;
}

// Measures (or loads) every limit the cases will be compared with, before anything is timed, and
// records them in the context.
void prepare_limits(const Options& o) {
  auto& limits = MachineLimits::instance();
  const CacheSizes levels = limits.cache_levels();
  add_context("l2_bytes_measured", std::to_string(levels.l2));
  add_context("l3_bytes_measured", std::to_string(levels.l3));
  add_context("cold_set_bytes", std::to_string(cold_set_bytes()));
  for (int t : o.threads) {
    for (Limit l : {Limit::kDramRead, Limit::kL3Read, Limit::kL2Read})
      add_context("limit_" + limit_key(l, t, Isa::kScalar), std::to_string(limits.get(l, t)));
    for (Isa isa : int8_peak_isas())
      if (cpu_has(isa))
        add_context("limit_" + limit_key(Limit::kInt8Peak, t, isa),
                    std::to_string(limits.get(Limit::kInt8Peak, t, isa)));
  }
  // Each level must read at least as fast as the one below it, or bw_frac is meaningless.
  std::string problems;
  for (const std::string& p : limits.sanity(o.threads)) {
    std::fprintf(stderr, "bitnet_benches: warning: probe: %s (re-measure: --bitnet_probe)\n",
                 p.c_str());
    problems += (problems.empty() ? "" : "; ") + p;
  }
  add_context("probe_sanity", problems.empty() ? "ok" : "WARNING: " + problems);
}

int run(int argc, char** argv) {
  // Before any parser removes the flags it consumed (Google Benchmark's compacts argv in place).
  const std::vector<std::string> original_args(argv, argv + argc);
  // --version as every tool prints it (docs/cli.md); Google Benchmark has no flag of that name.
  for (const std::string& a : original_args)
    if (a == "--version") {
      std::printf("%s\n", bitnet::cli::version_text("bitnet_benches").c_str());
      return 0;
    }
  Options o;
  try {
    o = parse_options(&argc, argv, available_cpus());
    // The environment pin applies too (the decode engine reads it); --bitnet_isa overrides it.
    if (o.isa) {
      setenv("BITNET_ISA", std::string(isa_name(*o.isa)).c_str(), 1);
    } else {
      o.isa = isa_pin();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet_benches: error: %s\n", e.what());
    return 2;
  }
  if (o.help) std::fputs(options_usage().c_str(), stdout);
  set_run_options(o);
  // Every pool up front: a thread limit (pids cgroup, RLIMIT_NPROC) is then a clean error here,
  // not an exception escaping a benchmark body (which Google Benchmark turns into terminate()).
  try {
    for (int t : o.threads) pool_for(t);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet_benches: error: %s\n", e.what());
    return 1;
  }

  MachineLimits::instance().load(o.refresh_probe);
  if (o.refresh_probe) {
    prepare_limits(o);
    for (const auto& [k, v] : MachineLimits::instance().values())
      std::printf("%-32s %.4g\n", k.c_str(), v);
    std::printf("written to %s\n", MachineLimits::instance().cache_path().c_str());
    return 0;
  }

  // Listing names must not generate models or probe the machine.
  bool list_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--benchmark_list_tests" || a == "--benchmark_list_tests=true" ||
        a == "--benchmark_list_tests=1")
      list_only = true;
  }
  // Our default min_time, unless the command line sets one (1.7.1 wants a bare number).
  std::vector<char*> args(argv, argv + argc);
  std::string min_time = "--benchmark_min_time=" + std::to_string(default_min_time(o.mode));
  bool has_min_time = false;
  std::string min_time_fixed;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (!a.starts_with("--benchmark_min_time")) continue;
    has_min_time = true;
    // Google Benchmark 1.8 spells seconds "0.5s"; 1.7.1 only parses the bare number.
    if (a.size() > 1 && a.ends_with("s") && a.find('=') != std::string_view::npos) {
      min_time_fixed = std::string(a.substr(0, a.size() - 1));
      std::fprintf(stderr, "bitnet_benches: note: %s read as %s (Google Benchmark 1.7.1 syntax)\n",
                   args[i], min_time_fixed.c_str());
      args[i] = min_time_fixed.data();
    }
  }
  if (!has_min_time) args.insert(args.begin() + 1, min_time.data());
  // Google Benchmark 1.7.1 takes --benchmark_repetitions=-1 and then aborts on a
  // std::length_error; refuse what it does not.
  if (const auto bad = invalid_gbench_flag(args)) {
    std::fprintf(stderr, "bitnet_benches: error: %s\n", bad->c_str());
    return 2;
  }
  int n_args = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n_args, args.data());
  if (benchmark::ReportUnrecognizedArguments(n_args, args.data())) return 2;

  try {
    register_probe_benchmarks();
    register_matmul_benchmarks();
    register_dequant_benchmarks();
    register_quant_act_benchmarks();
    register_dense_benchmarks();
    register_peer_benchmarks();
    register_decode_benchmarks();
    if (!list_only) prepare_decode_models(benchmark::GetBenchmarkFilter());
    // The probe and the tuning table only when a selected row needs them: the limits for every
    // family with bw_frac/peak_frac (all but quant_act), the table for dispatch rows and the
    // engine (decode/prefill).
    const std::string filter = benchmark::GetBenchmarkFilter();
    bool needs_table = false;
    for (const std::string& n : registered_names()) {
      if (!filter_matches(filter, n) && !filter_matches(filter, n + "/real_time")) continue;
      needs_table = needs_table || n.find("/dispatch/") != std::string::npos ||
                    n.starts_with("decode/") || n.starts_with("prefill/");
    }
    if (!list_only && selection_needs_limits(filter)) prepare_limits(o);
    add_run_context(o);
    if (!list_only && needs_table) add_tuning_context(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet_benches: error: %s\n", e.what());
    return 1;
  }
  add_context("default_min_time",
              has_min_time ? "(given)" : std::to_string(default_min_time(o.mode)));
  std::string notes;
  for (const auto& n : registration_notes()) {
    std::fprintf(stderr, "bitnet_benches: note: %s\n", n.c_str());
    if (!notes.empty()) notes += "; ";
    notes += n;
  }
  add_context("notes", notes.empty() ? "(none)" : notes);

  // CSV (display or file) goes through UnionCsvReporter: families report different counters,
  // which Google Benchmark's CSVReporter cannot write (it aborts).
  const std::string display = flag_value(original_args, "--benchmark_format=", "console");
  const std::string file = flag_value(original_args, "--benchmark_out_format=", "json");
  const bool has_out = !flag_value(original_args, "--benchmark_out=", "").empty();
  std::unique_ptr<benchmark::BenchmarkReporter> display_reporter, file_reporter;
  if (display == "csv")
    display_reporter = std::make_unique<UnionCsvReporter>(true);
  else if (display == "json")
    display_reporter = std::make_unique<FiniteJsonReporter>();
  else if (const auto opts = console_options(original_args))
    display_reporter = std::make_unique<FractionConsoleReporter>(*opts);
  if (file == "csv" && has_out) file_reporter = std::make_unique<UnionCsvReporter>(false);
  if (file == "json" && has_out) file_reporter = std::make_unique<FiniteJsonReporter>();
  if (file_reporter)  // a null display: Google Benchmark's default for the flags
    benchmark::RunSpecifiedBenchmarks(display_reporter.get(), file_reporter.get());
  else if (display_reporter)
    benchmark::RunSpecifiedBenchmarks(display_reporter.get());
  else
    benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace bitnet::bench

int main(int argc, char** argv) {
  return bitnet::bench::run(argc, argv);
}
