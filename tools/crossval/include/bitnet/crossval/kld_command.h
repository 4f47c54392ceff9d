// `bitnet-compare kld`: score our engine against a KL-divergence base file, or write one.
#pragma once

#include <string>
#include <vector>

namespace bitnet::crossval {

// Runs the subcommand on its arguments (after "kld"; bitnet-compare's main gives them their
// --help and the --opt=value form); returns bitnet-compare's exit code
// (0 ok, 2 usage, 3 unreadable or bad input, 4 below a threshold). Throws compare::CompareError.
int run_kld_command(const std::vector<std::string>& args);

}  // namespace bitnet::crossval
