// Checks of the Google Benchmark flags that the library (1.7.1) accepts but then crashes on.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bitnet::bench {

// The first problem among args (argv-style, args[0] the program), as a message naming the flag,
// or nullopt. --benchmark_repetitions must be a whole number >= 1 (-1 aborts inside the library
// with std::length_error); --benchmark_min_time and --benchmark_min_warmup_time must not be
// negative.
std::optional<std::string> invalid_gbench_flag(const std::vector<char*>& args);

}  // namespace bitnet::bench
