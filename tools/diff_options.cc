#include "diff_options.h"

#include <stdexcept>

#include "bitnet/cli/values.h"

namespace bitnet::tools {

void DiffFlags::add_to(CLI::App& app, const std::string& what) {
  app.add_option("--config", config,
                 "JSON rules, global and per family, for " + what + " (command-line flags win)")
      ->type_name("FILE");
  app.add_option("--alpha", alpha, "significance level for " + what + " (default 0.05)")
      ->type_name("P");
  app.add_option("--threshold", threshold,
                 "smallest |change| in percent worth flagging (default 5)")
      ->type_name("PCT");
}

void DiffFlags::apply(diff::DiffOptions& opts) const {
  if (!config.empty()) diff::load_config(config, opts);
  if (!alpha.empty()) {
    const double a = cli::parse_number("--alpha", alpha);
    if (!(a > 0 && a < 1)) throw cli::UsageError("--alpha: must be in (0, 1)");
    opts.alpha = a;
  }
  if (!threshold.empty()) {
    const double t = cli::parse_number("--threshold", threshold);
    if (!(t >= 0)) throw cli::UsageError("--threshold: must be >= 0 (percent)");
    opts.min_change = t / 100;
  }
}

int diff_error_code(const std::exception& e) {
  if (dynamic_cast<const diff::InputError*>(&e)) return cli::kExitInput;
  // The statistics refuse an option the data cannot support (--method exact on > 100 values).
  if (dynamic_cast<const std::invalid_argument*>(&e)) return cli::kExitUsage;
  return -1;
}

}  // namespace bitnet::tools
