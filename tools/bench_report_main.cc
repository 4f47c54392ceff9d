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

#include "bitnet/diff/verdicts.h"
#include "bitnet/report/exports.h"
#include "bitnet/report/html_page.h"

namespace {

using namespace bitnet;
using namespace bitnet::report;

constexpr int kExitOk = 0, kExitUsage = 2;

constexpr const char* kUsage = R"(usage: bench-report RESULT.json... [options]

RESULT.json   Google Benchmark JSON from bitnet_benches, bitnet-compare or ci/compare.sh's
              merged.json (several: one section each; peer rows pair across files)

options:
  -o FILE                  output file (default: stdout; written to FILE.tmp, then renamed)
  --history DIR            the nightly baseline store of this machine (a folder of result
                           files), or its root (the folder named after the machine key is used)
  --history-depth N        preceding runs a history point is tested against (default 5)
  --diff BASELINE          bench-diff the first RESULT against BASELINE (file or directory)
  --config FILE            bench-diff rules for --diff (e.g. ci/lib/bench-diff.json)
  --alpha P                significance level for --diff and history marks (default 0.05)
  --threshold PCT          smallest change flagged, percent (default 5)
  --flag-threshold PCT     kernel summary: flag a dispatch pick this much slower than the
                           best kernel (default 5)
  --export FORMAT          write a dashboard file instead of HTML: github-action-benchmark
                           (customBiggerIsBetter: tokens/s, GB/s), github-action-benchmark-time
                           (customSmallerIsBetter: ns per call), bencher (Bencher Metric Format)
  -h, --help               this text

exit status: 0 written, 2 usage or input error (the message names the file and field).
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
  if (text.empty() || used != text.size())
    throw UsageError(flag + ": expected a number, got \"" + text + "\"");
  return v;
}

// Temp file + rename: an interrupted run never leaves half a report where a good one was.
void write_output(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return;
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw diff::InputError(path + ": cannot write file");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw diff::InputError(path + ": cannot write file: " + ec.message());
  }
}

int run(int argc, char** argv) {
  std::vector<std::string> inputs;
  std::optional<std::string> out_path, history, depth, diff_base, config, alpha, threshold,
      flag_threshold, export_format;
  const std::vector<std::pair<std::string, std::optional<std::string>*>> valued = {
      {"-o", &out_path},           {"--history", &history},
      {"--history-depth", &depth}, {"--diff", &diff_base},
      {"--config", &config},       {"--alpha", &alpha},
      {"--threshold", &threshold}, {"--flag-threshold", &flag_threshold},
      {"--export", &export_format}};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitOk;
    }
    bool matched = false;
    for (const auto& [flag, slot] : valued) {
      if (arg == flag) {
        if (i + 1 >= argc) throw UsageError(flag + ": missing value");
        *slot = argv[++i];
        matched = true;
      } else if (flag.starts_with("--") && arg.starts_with(flag + "=")) {
        *slot = arg.substr(flag.size() + 1);
        matched = true;
      }
      if (matched) break;
    }
    if (matched) continue;
    if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
    inputs.push_back(arg);
  }
  if (inputs.empty()) throw UsageError("expected at least one RESULT.json");

  ReportInputs in;
  diff::DiffOptions diff_opts;
  if (config) diff::load_config(*config, diff_opts);
  if (alpha) {
    const double a = parse_number("--alpha", *alpha);
    if (!(a > 0 && a < 1)) throw UsageError("--alpha: must be in (0, 1)");
    diff_opts.alpha = a;
  }
  if (threshold) {
    const double t = parse_number("--threshold", *threshold);
    if (!(t >= 0)) throw UsageError("--threshold: must be >= 0 (percent)");
    diff_opts.min_change = t / 100;
  }
  if (flag_threshold) {
    const double t = parse_number("--flag-threshold", *flag_threshold);
    if (!(t >= 0)) throw UsageError("--flag-threshold: must be >= 0 (percent)");
    in.flag_threshold = t / 100;
  }
  in.history_opts.alpha = diff_opts.alpha;
  in.history_opts.min_change = diff_opts.min_change;
  if (depth) {
    const double d = parse_number("--history-depth", *depth);
    if (d < 1 || d != static_cast<double>(static_cast<std::size_t>(d)))
      throw UsageError("--history-depth: expected a whole number >= 1");
    in.history_opts.depth = static_cast<std::size_t>(d);
  }
  std::optional<ExportFormat> format;
  if (export_format) try {
      format = parse_export_format(*export_format);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }

  for (const std::string& path : inputs) in.runs.push_back(load_run(path));
  std::vector<const RunData*> runs;
  for (const RunData& r : in.runs) runs.push_back(&r);
  if (format) {
    const nlohmann::ordered_json doc =
        *format == ExportFormat::kBencher
            ? export_bencher(runs)
            : export_github(runs, *format == ExportFormat::kGithubBigger);
    write_output(out_path.value_or("-"), doc.dump(2) + "\n");
    return kExitOk;
  }
  if (history) {
    const nlohmann::json& ctx = in.runs.front().context;
    const std::string key = ctx.is_object() ? ctx.value("nightly_machine_key", std::string()) : "";
    in.history = load_history(*history, key);
    in.history_source = *history;
    // The report's own run is the newest point unless the store already holds it (the nightly
    // writes the report before it stores the run).
    const RunData& newest = in.history.back();
    if (in.runs.front().date() > newest.date() ||
        (newest.date().empty() && in.runs.front().source != newest.source))
      in.history.push_back(in.runs.front());
  }
  if (diff_base) {
    const diff::ResultSet base = diff::load_results(*diff_base, in.history_opts.depth);
    in.diff = diff::diff_results(base, in.runs.front().results, diff_opts);
  }
  write_output(out_path.value_or("-"), render_html(in));
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "bench-report: " << e.what() << "\n(bench-report --help for usage)\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "bench-report: error: " << e.what() << "\n";
    return kExitUsage;
  }
}
