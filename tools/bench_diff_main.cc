// bench-diff: compares two Google Benchmark JSON results (or a baseline history directory against
// a result) and exits 1 when a benchmark regressed. See docs/diff.md.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bitnet/diff/report.h"
#include "bitnet/diff/verdicts.h"

namespace {

using namespace bitnet::diff;

constexpr int kExitOk = 0, kExitRegression = 1, kExitUsage = 2, kExitInconclusive = 3;

constexpr const char* kUsage = R"(usage: bench-diff [options] BASELINE CONTENDER

BASELINE   Google Benchmark JSON file, or a directory of them (a baseline history:
           the newest --history files, repetitions pooled per benchmark)
CONTENDER  Google Benchmark JSON file (or directory)

A benchmark is flagged only when the two-sided Mann-Whitney U test on its repetitions gives
p < alpha AND its median changed by at least the threshold.

options:
  --metric NAME          real_time (default), cpu_time or a user counter such as tokens/s
  --direction D          lower | higher | auto (default auto: times lower, rates higher)
  --alpha P              significance level (default 0.05)
  --threshold PCT        smallest |change| in percent worth flagging (default 5)
  --config FILE          JSON rules, global and per family (command-line flags win)
  --filter REGEX         compare only benchmarks whose name matches
  --method M             U test: auto (default) | exact | asymptotic
  --history N            newest N files of a history directory (default 5, 0 = all)
  --allow-errors         errored contender benchmarks do not fail the run
  --fail-on-inconclusive exit 3 when no benchmark regressed but one changed by at least the
                         threshold without significance (too few or too noisy repetitions)
  --allow-removed        baseline benchmarks missing from the contender do not fail the run
  --format F             stdout: table (default) | markdown | json | svg | none
  --changed-only         table: per-family summary lines, then only the rows that changed
                         (regression, improvement, inconclusive, errored, added, removed),
                         largest effect first
  --sort ORDER           table rows: input (the contender's order; default without
                         --changed-only) | effect (flagged first, largest |change| first;
                         also puts the per-family lines first)
  --markdown FILE        also write the Markdown report to FILE
  --json FILE            also write the JSON report to FILE
  --svg FILE             also write the SVG chart to FILE
  --junit FILE           also write a JUnit XML report (one test case per benchmark)
  --metrics FILE         also write OpenMetrics text (GitLab artifacts:reports:metrics)
  --flagged-filter FILE  write a --benchmark_filter regex of the regressions to FILE
  --color WHEN           auto (default: when stdout is a terminal) | always | never
  -h, --help             this text

The overall verdict is FAIL (a regression or an errored contender benchmark), INCONCLUSIVE
(none, but at least one change >= threshold the repetitions cannot confirm, e.g. a single
repetition) or PASS. An unknown --metric (in no benchmark of either file) is an input error.

exit status: 0 PASS or INCONCLUSIVE, 1 FAIL, 2 usage or input error (including an unknown
metric), 3 INCONCLUSIVE with --fail-on-inconclusive.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double parse_number(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty())
    throw UsageError(flag + ": expected a number, got \"" + text + "\"");
  return v;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw InputError(path + ": cannot write file");
}

int run(int argc, char** argv) {
  std::optional<std::string> metric, direction, alpha_text, threshold_text, history_text, config,
      filter, method, markdown, json, svg, junit, metrics, flagged, format_text, color_text,
      sort_text;
  const std::map<std::string, std::optional<std::string>*> valued = {
      {"--metric", &metric},
      {"--direction", &direction},
      {"--alpha", &alpha_text},
      {"--threshold", &threshold_text},
      {"--history", &history_text},
      {"--config", &config},
      {"--filter", &filter},
      {"--method", &method},
      {"--markdown", &markdown},
      {"--json", &json},
      {"--svg", &svg},
      {"--junit", &junit},
      {"--metrics", &metrics},
      {"--flagged-filter", &flagged},
      {"--format", &format_text},
      {"--color", &color_text},
      {"--sort", &sort_text}};
  std::vector<std::string> positional;
  bool allow_errors = false, fail_on_inconclusive = false, changed_only = false;
  bool allow_removed = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (auto it = valued.find(arg); it != valued.end()) {
      if (i + 1 >= argc) throw UsageError(arg + ": missing value");
      *it->second = argv[++i];
    } else if (arg == "--allow-errors") {
      allow_errors = true;
    } else if (arg == "--fail-on-inconclusive") {
      fail_on_inconclusive = true;
    } else if (arg == "--changed-only") {
      changed_only = true;
    } else if (arg == "--allow-removed") {
      allow_removed = true;
    } else if (arg.starts_with("-") && arg.size() > 1) {
      throw UsageError("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  std::optional<double> alpha, threshold;
  if (alpha_text) alpha = parse_number("--alpha", *alpha_text);
  if (threshold_text) threshold = parse_number("--threshold", *threshold_text);
  std::size_t history = 5;
  if (history_text) {
    const double h = parse_number("--history", *history_text);
    if (h < 0 || h != static_cast<double>(static_cast<std::size_t>(h)))
      throw UsageError("--history: expected a whole number >= 0");
    history = static_cast<std::size_t>(h);
  }
  const std::string format = format_text.value_or("table");
  const std::string color = color_text.value_or("auto");
  if (positional.size() != 2)
    throw UsageError("expected BASELINE and CONTENDER, got " + std::to_string(positional.size()) +
                     " path(s)");
  if (format != "table" && format != "markdown" && format != "json" && format != "svg" &&
      format != "none")
    throw UsageError("--format: expected table, markdown, json, svg or none");
  if (color != "auto" && color != "always" && color != "never")
    throw UsageError("--color: expected auto, always or never");
  // The people view sorts by effect unless told otherwise; the full table keeps input order.
  const std::string sort = sort_text.value_or(changed_only ? "effect" : "input");
  if (sort != "input" && sort != "effect") throw UsageError("--sort: expected input or effect");
  ArrangeOptions arrange_opts;
  arrange_opts.changed_only = changed_only;
  arrange_opts.order = sort == "effect" ? RowOrder::kEffect : RowOrder::kInput;

  DiffOptions opts;
  if (config) load_config(*config, opts);
  if (metric) opts.metric = *metric;
  if (direction) opts.direction = parse_direction(*direction, "--direction");
  if (alpha) {
    if (!(*alpha > 0 && *alpha < 1)) throw UsageError("--alpha: must be in (0, 1)");
    opts.alpha = *alpha;
  }
  if (threshold) {
    if (!(*threshold >= 0)) throw UsageError("--threshold: must be >= 0 (percent)");
    opts.min_change = *threshold / 100;
  }
  if (method) {
    if (*method == "auto")
      opts.method = UMethod::kAuto;
    else if (*method == "exact")
      opts.method = UMethod::kExact;
    else if (*method == "asymptotic")
      opts.method = UMethod::kAsymptotic;
    else
      throw UsageError("--method: expected auto, exact or asymptotic");
  }
  if (filter) {
    try {
      opts.filter = std::regex(*filter, std::regex::extended);
    } catch (const std::regex_error& e) {
      throw UsageError("--filter: invalid regex \"" + *filter + "\": " + e.what());
    }
  }
  opts.errors_fail = !allow_errors;
  opts.fail_on_inconclusive = fail_on_inconclusive;
  opts.removed_fail = !allow_removed;

  const ResultSet base = load_results(positional[0], history);
  const ResultSet cont = load_results(positional[1], history);
  const DiffReport report = diff_results(base, cont, opts);

  if (markdown) write_file(*markdown, render_markdown(report));
  if (json) write_file(*json, render_json(report).dump(2) + "\n");
  if (svg) write_file(*svg, render_svg(report));
  if (junit) write_file(*junit, render_junit(report));
  if (metrics) write_file(*metrics, render_metrics(report));
  if (flagged) {
    const std::vector<std::string> names = report.regressions();
    write_file(*flagged, names.empty() ? "" : filter_regex(names) + "\n");
  }
  const bool use_color =
      color == "always" || (color == "auto" && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
  if (format == "table" && (changed_only || arrange_opts.order != RowOrder::kInput))
    std::cout << render_people(report, arrange_opts, use_color);
  else if (format == "table")
    std::cout << render_terminal(report, use_color);
  else if (format == "markdown")
    std::cout << render_markdown(report);
  else if (format == "json")
    std::cout << render_json(report).dump(2) << "\n";
  else if (format == "svg")
    std::cout << render_svg(report);
  if (report.failed()) return kExitRegression;
  return report.inconclusive() && fail_on_inconclusive ? kExitInconclusive : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "bench-diff: " << e.what() << "\n(bench-diff --help for usage)\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "bench-diff: error: " << e.what() << "\n";
    return kExitUsage;
  }
}
