// The bench-diff options bench-diff and bench-report both take (--config, --alpha, --threshold),
// with one set of validators, and the exit code of a result file the diff library rejects.
#pragma once

#include <exception>
#include <string>

#include "bitnet/cli/app.h"
#include "bitnet/diff/verdicts.h"

namespace bitnet::tools {

struct DiffFlags {
  std::string config, alpha, threshold;

  // Adds --config FILE, --alpha P and --threshold PCT; `what` says what they apply to.
  void add_to(CLI::App& app, const std::string& what);
  // The config file first, then --alpha and --threshold over it (the command line wins).
  // Throws UsageError naming the option for a value out of range.
  void apply(diff::DiffOptions& opts) const;
};

// diff::InputError (a file that is missing, not JSON, or lacks a field; an unknown metric) is
// exit 3, an option the statistics refuse (std::invalid_argument) exit 2; -1 otherwise.
int diff_error_code(const std::exception& e);

}  // namespace bitnet::tools
