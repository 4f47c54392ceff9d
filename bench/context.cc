#include "bitnet/bench/context.h"

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <sstream>

#include "bitnet/bench/probe.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/kernel.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/tuning.h"
#include "bitnet_bench_build_info.h"

extern char** environ;

namespace bitnet::bench {
namespace {

std::string hex_u64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

void add_context(const std::string& key, const std::string& value) {
  benchmark::AddCustomContext("bitnet_" + key, value);
}

void add_run_context(const Options& opts) {
  add_context("version", BITNET_VERSION);
  add_context("git_commit", BITNET_GIT_COMMIT);
  add_context("compiler", BITNET_COMPILER);
  add_context("cxx_flags", BITNET_CXX_FLAGS);
  add_context("build_type", BITNET_BUILD_TYPE);
  add_context("cpu_model", cpu_model_name());
  add_context("cpu_features", cpu_features_string());
  add_context("best_isa", std::string(isa_name(best_cpu_isa())));
  add_context("available_cpus", std::to_string(available_cpus()));
  add_context("l2_bytes", std::to_string(cache_sizes().l2));
  add_context("l3_bytes", std::to_string(cache_sizes().l3));
  add_context("mode", mode_name(opts.mode));
  std::string threads;
  for (int t : opts.threads) {
    if (!threads.empty()) threads += ',';
    threads += std::to_string(t);
  }
  add_context("threads", threads);
  add_context("isa_pin", opts.isa ? std::string(isa_name(*opts.isa)) : "none");
  add_context("seed", std::to_string(opts.seed));
  add_context("deterministic", opts.deterministic ? "1" : "0");

  auto& limits = MachineLimits::instance();
  add_context("probe_cache",
              limits.cache_path() + (limits.loaded_from_cache() ? " (loaded)" : " (measured now)"));

  // Every BITNET_* variable, verbatim: the run's configuration outside the command line.
  std::ostringstream env;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "BITNET_", 7) == 0) env << (env.tellp() > 0 ? " " : "") << *e;
  }
  add_context("environment", env.str().empty() ? "(none)" : env.str());
}

void add_tuning_context(const Options& opts) {
  // The measured dispatch table (made now if this machine has none for these thread counts),
  // then which kernel dispatch picks per op, format, column class and thread count.
  const bool tuned = !opts.isa && tuning_enabled();
  if (tuned) {
    auto& table = TuningTable::instance();
    for (int t : opts.threads) table.ensure(t);
    add_context("tuning", "measured: " + table.status() + " (" + table.path() + ")");
    add_context("tuning_kernel_set", hex_u64(kernel_set_hash()));
    add_context("tuning_kernel_code", std::string(kernel_code_sha256()));
    add_context("tuning_table", table.entries_json());
  } else {
    add_context("tuning", opts.isa ? "off: ISA pinned (static order)"
                                   : "off: BITNET_TUNE=off (static order)");
  }
  for (TypeId w : {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S}) {
    std::string fmt = std::string(type_traits(static_cast<uint32_t>(w))->name);
    for (char& c : fmt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (Op op : {Op::kMatmul, Op::kDequant, Op::kQuantAct}) {
      const int classes = op == Op::kMatmul ? kNClasses : 1;
      for (int cls = 0; cls < classes; ++cls)
        for (int t : op == Op::kMatmul ? opts.threads : std::vector<int>{1}) {
          std::string key = "dispatch_" + std::string(op_name(op)) + "_" + fmt;
          if (op == Op::kMatmul)
            key += "_n" + std::string(n_class_name(cls)) + "_t" + std::to_string(t);
          try {
            add_context(
                key, std::string(dispatch_kernel(op, w, n_class_columns(cls), t, opts.isa).name));
          } catch (const std::exception& e) {
            add_context(key, std::string("none: ") + e.what());
          }
        }
    }
  }
}

}  // namespace bitnet::bench
