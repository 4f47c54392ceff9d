// bench-diff: compares two Google Benchmark JSON results (or a baseline history directory against
// a result) and exits 1 when a benchmark regressed. See docs/diff.md; exit codes docs/cli.md.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bitnet/cli/app.h"
#include "bitnet/cli/output.h"
#include "bitnet/cli/values.h"
#include "bitnet/diff/report.h"
#include "bitnet/diff/verdicts.h"
#include "diff_options.h"

namespace {

using namespace bitnet::diff;

namespace cli = bitnet::cli;

// Exit codes (docs/cli.md): the shared ones, and the verdicts.
constexpr int kExitRegression = cli::kExitFailed, kExitInconclusive = 4;

constexpr const char* kDescription =
    R"(Compares two Google Benchmark JSON results; exits 1 when a benchmark regressed.

A benchmark is flagged only when the two-sided Mann-Whitney U test on its repetitions gives
p < alpha AND its median changed by at least the threshold.)";

constexpr const char* kFooter =
    R"(The overall verdict is FAIL (a regression or an errored contender benchmark), INCONCLUSIVE
(none, but at least one change >= threshold the repetitions cannot confirm, e.g. a single
repetition) or PASS. An unknown --metric (in no benchmark of either file) is an input error.

Exit status: 0 PASS or INCONCLUSIVE, 1 FAIL, 2 usage error, 3 input error (a file missing,
unreadable or malformed; an unknown metric), 4 INCONCLUSIVE with --fail-on-inconclusive
(docs/cli.md).)";

struct Flags {
  std::string baseline, contender;
  bitnet::tools::DiffFlags diff;
  std::string metric, direction, history_text, filter, method, markdown, json, svg, junit, metrics,
      flagged, format = "table", color = "auto", sort;
  bool allow_errors = false, fail_on_inconclusive = false, changed_only = false,
       allow_removed = false;
};

void add_flags(CLI::App& app, Flags& f) {
  app.add_option("BASELINE", f.baseline,
                 "Google Benchmark JSON file, or a directory of them (a baseline history:\n"
                 "the newest --history files, repetitions pooled per benchmark)")
      ->required();
  app.add_option("CONTENDER", f.contender, "Google Benchmark JSON file (or directory)")->required();
  app.add_option("--metric", f.metric,
                 "real_time (default), cpu_time or a user counter such as tokens/s")
      ->type_name("NAME");
  app.add_option("--direction", f.direction,
                 "lower | higher | auto (default auto: times lower, rates higher)")
      ->type_name("D");
  f.diff.add_to(app, "the comparison");
  app.add_option("--filter", f.filter, "compare only benchmarks whose name matches")
      ->type_name("REGEX");
  app.add_option("--method", f.method, "U test: auto (default) | exact | asymptotic")
      ->type_name("M");
  app.add_option("--history", f.history_text,
                 "newest N files of a history directory (default 5, 0 = all)")
      ->type_name("N");
  app.add_flag("--allow-errors", f.allow_errors,
               "errored contender benchmarks do not fail the run");
  app.add_flag("--fail-on-inconclusive", f.fail_on_inconclusive,
               "exit 4 when no benchmark regressed but one changed by at least the\n"
               "threshold without significance (too few or too noisy repetitions)");
  app.add_flag("--allow-removed", f.allow_removed,
               "baseline benchmarks missing from the contender do not fail the run");
  app.add_option("--format", f.format, "stdout: table (default) | markdown | json | svg | none")
      ->type_name("F");
  app.add_flag("--changed-only", f.changed_only,
               "table: per-family summary lines, then only the rows that changed\n"
               "(regression, improvement, inconclusive, errored, added, removed),\n"
               "largest effect first");
  app.add_option("--sort", f.sort,
                 "table rows: input (the contender's order; default without\n"
                 "--changed-only) | effect (flagged first, largest |change| first;\n"
                 "also puts the per-family lines first)")
      ->type_name("ORDER");
  app.add_option("--markdown", f.markdown, "also write the Markdown report to FILE")
      ->type_name("FILE");
  app.add_option("--json", f.json, "also write the JSON report to FILE")->type_name("FILE");
  app.add_option("--svg", f.svg, "also write the SVG chart to FILE")->type_name("FILE");
  app.add_option("--junit", f.junit, "also write a JUnit XML report (one test case per benchmark)")
      ->type_name("FILE");
  app.add_option("--metrics", f.metrics,
                 "also write OpenMetrics text (GitLab artifacts:reports:metrics)")
      ->type_name("FILE");
  app.add_option("--flagged-filter", f.flagged,
                 "write a --benchmark_filter regex of the regressions to FILE")
      ->type_name("FILE");
  app.add_option("--color", f.color, "auto (default: when stdout is a terminal) | always | never")
      ->type_name("WHEN");
}

int run(const Flags& f) {
  std::size_t history = 5;
  if (!f.history_text.empty())
    history = static_cast<std::size_t>(cli::parse_int("--history", f.history_text, 0, INT64_MAX));
  const std::string& format =
      cli::parse_choice("--format", f.format, {"table", "markdown", "json", "svg", "none"});
  const std::string& color = cli::parse_choice("--color", f.color, {"auto", "always", "never"});
  // The people view sorts by effect unless told otherwise; the full table keeps input order.
  const std::string sort =
      cli::parse_choice("--sort", f.sort.empty() ? (f.changed_only ? "effect" : "input") : f.sort,
                        {"input", "effect"});
  const bool changed_only = f.changed_only;
  ArrangeOptions arrange_opts;
  arrange_opts.changed_only = changed_only;
  arrange_opts.order = sort == "effect" ? RowOrder::kEffect : RowOrder::kInput;

  DiffOptions opts;
  f.diff.apply(opts);  // --config, then --alpha and --threshold over it
  if (!f.metric.empty()) opts.metric = f.metric;
  if (!f.direction.empty()) try {
      opts.direction = parse_direction(f.direction, "--direction");
    } catch (const InputError& e) {  // on the command line it is a usage error
      throw cli::UsageError(e.what());
    }
  if (!f.method.empty()) {
    const std::string& m = cli::parse_choice("--method", f.method, {"auto", "exact", "asymptotic"});
    opts.method = m == "auto"    ? UMethod::kAuto
                  : m == "exact" ? UMethod::kExact
                                 : UMethod::kAsymptotic;
  }
  if (!f.filter.empty()) {
    try {
      opts.filter = std::regex(f.filter, std::regex::extended);
    } catch (const std::regex_error& e) {
      throw cli::UsageError("--filter: invalid regex \"" + f.filter + "\": " + e.what());
    }
  }
  opts.errors_fail = !f.allow_errors;
  opts.fail_on_inconclusive = f.fail_on_inconclusive;
  opts.removed_fail = !f.allow_removed;

  const ResultSet base = load_results(f.baseline, history);
  const ResultSet cont = load_results(f.contender, history);
  const DiffReport report = diff_results(base, cont, opts);

  // Artifacts: temp file + rename (cli::write_output), so a half report never replaces one.
  if (!f.markdown.empty()) cli::write_output(f.markdown, render_markdown(report));
  if (!f.json.empty()) cli::write_output(f.json, render_json(report).dump(2) + "\n");
  if (!f.svg.empty()) cli::write_output(f.svg, render_svg(report));
  if (!f.junit.empty()) cli::write_output(f.junit, render_junit(report));
  if (!f.metrics.empty()) cli::write_output(f.metrics, render_metrics(report));
  if (!f.flagged.empty()) {
    const std::vector<std::string> names = report.regressions();
    cli::write_output(f.flagged, names.empty() ? "" : filter_regex(names) + "\n");
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
  return report.inconclusive() && f.fail_on_inconclusive ? kExitInconclusive : cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(kDescription, "bench-diff");
  cli::configure(app);
  app.footer(kFooter);
  Flags f;
  add_flags(app, f);
  return cli::run(
      app, argc, argv, [&] { return run(f); }, bitnet::tools::diff_error_code);
}
