// Google Benchmark's --benchmark_filter semantics (POSIX extended regex, searched; a leading '-'
// negates; empty or "all" = everything), so we can tell before the run which cases will run
// (e.g. whether a decode model must be generated).
#pragma once

#include <string>

namespace bitnet::bench {

// Matches `run_name` (as GB prints it, e.g. with "/real_time") against `filter`. Throws
// std::invalid_argument for a regex that does not compile.
bool filter_matches(const std::string& filter, const std::string& run_name);

}  // namespace bitnet::bench
