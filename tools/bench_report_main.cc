// bench-report: one self-contained HTML page (or a dashboard export) from Google Benchmark JSON
// results of bitnet_benches / bitnet-compare, a nightly history and a diff. See docs/report.md.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "bitnet/cli/app.h"
#include "bitnet/cli/output.h"
#include "bitnet/cli/values.h"
#include "bitnet/diff/verdicts.h"
#include "bitnet/report/exports.h"
#include "bitnet/report/html_page.h"
#include "diff_options.h"

namespace {

using namespace bitnet;
using namespace bitnet::report;

namespace cli = bitnet::cli;

struct Flags {
  std::vector<std::string> inputs;
  std::string out_path = "-", history, depth, diff_base, flag_threshold, export_format;
  tools::DiffFlags diff;
};

void add_flags(CLI::App& app, Flags& f) {
  app.add_option("RESULT.json", f.inputs,
                 "Google Benchmark JSON from bitnet_benches, bitnet-compare or ci/compare.sh's\n"
                 "merged.json (several: one section each; peer rows pair across files)")
      ->required();
  app.add_option("-o", f.out_path,
                 "output file (default: stdout; written to FILE.tmp, then renamed)")
      ->type_name("FILE");
  app.add_option("--history", f.history,
                 "the nightly baseline store of this machine (a folder of result files),\n"
                 "or its root (the folder named after the machine key is used)")
      ->type_name("DIR");
  app.add_option("--history-depth", f.depth,
                 "preceding runs a history point is tested against (default 5)")
      ->type_name("N");
  app.add_option("--diff", f.diff_base,
                 "bench-diff the first RESULT against BASELINE (file or directory)")
      ->type_name("BASELINE");
  f.diff.add_to(app, "--diff and the history marks");
  app.add_option("--flag-threshold", f.flag_threshold,
                 "kernel summary: flag a dispatch pick this much slower than the best\n"
                 "kernel (default 5)")
      ->type_name("PCT");
  app.add_option("--export", f.export_format,
                 "write a dashboard file instead of HTML: github-action-benchmark\n"
                 "(customBiggerIsBetter: tokens/s, GB/s), github-action-benchmark-time\n"
                 "(customSmallerIsBetter: ns per call), bencher (Bencher Metric Format)")
      ->type_name("FORMAT");
}

int run(const Flags& f) {
  ReportInputs in;
  diff::DiffOptions diff_opts;
  f.diff.apply(diff_opts);
  if (!f.flag_threshold.empty()) {
    const double t = cli::parse_number("--flag-threshold", f.flag_threshold);
    if (!(t >= 0)) throw cli::UsageError("--flag-threshold: must be >= 0 (percent)");
    in.flag_threshold = t / 100;
  }
  in.history_opts.alpha = diff_opts.alpha;
  in.history_opts.min_change = diff_opts.min_change;
  if (!f.depth.empty())
    in.history_opts.depth =
        static_cast<std::size_t>(cli::parse_int("--history-depth", f.depth, 1, INT64_MAX));
  std::optional<ExportFormat> format;
  if (!f.export_format.empty()) try {
      format = parse_export_format(f.export_format);
    } catch (const std::invalid_argument& e) {
      throw cli::UsageError(e.what());
    }

  for (const std::string& path : f.inputs) in.runs.push_back(load_run(path));
  std::vector<const RunData*> runs;
  for (const RunData& r : in.runs) runs.push_back(&r);
  if (format) {
    const nlohmann::ordered_json doc =
        *format == ExportFormat::kBencher
            ? export_bencher(runs)
            : export_github(runs, *format == ExportFormat::kGithubBigger);
    cli::write_output(f.out_path, doc.dump(2) + "\n");
    return cli::kExitOk;
  }
  if (!f.history.empty()) {
    const nlohmann::json& ctx = in.runs.front().context;
    const std::string key = ctx.is_object() ? ctx.value("nightly_machine_key", std::string()) : "";
    in.history = load_history(f.history, key);
    in.history_source = f.history;
    // The report's own run is the newest point unless the store already holds it (the nightly
    // writes the report before it stores the run).
    const RunData& newest = in.history.back();
    if (in.runs.front().date() > newest.date() ||
        (newest.date().empty() && in.runs.front().source != newest.source))
      in.history.push_back(in.runs.front());
  }
  if (!f.diff_base.empty()) {
    const diff::ResultSet base = diff::load_results(f.diff_base, in.history_opts.depth);
    in.diff = diff::diff_results(base, in.runs.front().results, diff_opts);
  }
  cli::write_output(f.out_path, render_html(in));
  return cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "One self-contained HTML page (or a dashboard export) from Google Benchmark JSON results.",
      "bench-report");
  cli::configure(app);
  app.footer(
      "Options also take the --opt=value form. Exit status: 0 written, 2 usage error, 3 input\n"
      "error: a file missing, unreadable or malformed (the message names the file and field),\n"
      "or the output cannot be written (docs/cli.md).");
  Flags f;
  add_flags(app, f);
  return cli::run(
      app, argc, argv, [&] { return run(f); }, tools::diff_error_code);
}
