// `bitnet-compare kld`: score our engine against a KL-divergence base file, or write one.
#pragma once

#include <string>
#include <vector>

namespace bitnet::crossval {

extern const char* const kKldUsage;

// Runs the subcommand on its arguments (after "kld"); returns bitnet-compare's exit code
// (0 ok, 2 usage / unreadable input, 4 below a threshold). Throws compare::CompareError.
int run_kld_command(const std::vector<std::string>& args);

}  // namespace bitnet::crossval
