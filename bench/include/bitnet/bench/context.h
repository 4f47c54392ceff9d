// Everything needed to reproduce a run from its JSON alone, added with benchmark::AddCustomContext:
// build (version, commit, compiler, flags), machine (CPU, features, caches, limits), settings
// (mode, threads, ISA pin, seed, BITNET_* environment) and, per model used, path + SHA-256 + spec.
#pragma once

#include <string>

#include "bitnet/bench/options.h"

namespace bitnet::bench {

// Adds the build, machine, settings and environment entries (call before RunSpecifiedBenchmarks).
void add_run_context(const Options& opts);

// Adds the dispatch entries: the measured table ("bitnet_tuning", "bitnet_tuning_table"; made now
// for the run's thread counts if this machine has none) and
// "bitnet_dispatch_<op>_<format>[_n<class> _t<threads>]" = the kernel dispatch uses. Not called
// when only listing names.
void add_tuning_context(const Options& opts);

// Adds "bitnet_<key>" = value (keys are prefixed so they never clash with Google Benchmark's).
void add_context(const std::string& key, const std::string& value);

}  // namespace bitnet::bench
