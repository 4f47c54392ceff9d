// bitnet-dispatch-check: over a suite result (bitnet_benches JSON), is every gemv/gemm `dispatch`
// row within a tolerance of the fastest kernel row of the same case?
//
//   bitnet-dispatch-check [--tolerance PCT] [--verbose] RESULT.json
//
// A case is (family, format, M, K, N, threads, residency). Per row the median real_time over its
// repetitions is used (the "median" aggregate when only aggregates were written). A case passes
// when dispatch chose the kernel of the fastest row (their labels name the kernel: any
// difference is then noise between two rows of one kernel), or when its median is at most
// (1 + tolerance) x the fastest row's. Exit status: 0 every case passes, 1 some case does not
// (each listed), 2 usage error, 3 input error (unreadable file, not a result, no dispatch rows).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "bitnet/cli/app.h"
#include "bitnet/cli/values.h"

namespace {

namespace cli = bitnet::cli;

struct Row {
  std::vector<double> times;  // real_time per repetition, ns
  double median_aggregate = 0;
  std::string label;  // the kernel that ran
};

double to_ns(double v, const std::string& unit) {
  if (unit == "us") return v * 1e3;
  if (unit == "ms") return v * 1e6;
  if (unit == "s") return v * 1e9;
  return v;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double value(const Row& r) {
  return r.times.empty() ? r.median_aggregate : median(r.times);
}

int check(const std::string& path, double tolerance, bool verbose) {
  std::ifstream in(path);
  if (!in) throw cli::InputError(path + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw cli::InputError(path + ": not JSON: " + e.what());
  }
  if (!j.contains("benchmarks") || !j["benchmarks"].is_array())
    throw cli::InputError(path + ": no \"benchmarks\" array");

  // gemv/<fmt>/<impl>/M:<m>/K:<k>/N:<n>/threads:<t>/<hot|cold>[/real_time]
  const std::regex name_re(
      R"(^(gemv|gemm)/([^/]+)/([^/]+)/M:(\d+)/K:(\d+)/N:(\d+)/threads:(\d+)/(hot|cold)(/.*)?$)");
  using Case = std::tuple<std::string, std::string, long, long, long, int, std::string>;
  std::map<Case, std::map<std::string, Row>> cases;
  size_t skipped = 0;
  for (const auto& b : j["benchmarks"]) {
    const std::string name = b.value("run_name", b.value("name", std::string()));
    std::smatch m;
    if (!std::regex_match(name, m, name_re)) continue;
    if (b.value("error_occurred", false)) {
      ++skipped;
      continue;
    }
    const Case c{m[1], m[2], std::stol(m[4]), std::stol(m[5]), std::stol(m[6]), std::stoi(m[7]),
                 m[8]};
    Row& r = cases[c][m[3]];
    if (b.contains("label") && b["label"].is_string()) r.label = b["label"];
    if (!b.contains("real_time") || !b["real_time"].is_number()) continue;
    const double t = to_ns(b["real_time"].get<double>(), b.value("time_unit", std::string("ns")));
    const std::string type = b.value("run_type", std::string("iteration"));
    if (type == "iteration")
      r.times.push_back(t);
    else if (b.value("aggregate_name", std::string()) == "median")
      r.median_aggregate = t;
  }

  size_t checked = 0, same_kernel = 0, within = 0, failed = 0, alone = 0;
  for (const auto& [c, impls] : cases) {
    const auto d = impls.find("dispatch");
    if (d == impls.end() || value(d->second) <= 0) continue;
    const Row* best = nullptr;
    std::string best_impl;
    for (const auto& [impl, r] : impls) {
      if (impl == "dispatch" || value(r) <= 0) continue;
      if (!best || value(r) < value(*best)) best = &r, best_impl = impl;
    }
    const auto& [fam, fmt, M, K, N, t, res] = c;
    char where[160];
    std::snprintf(where, sizeof where, "%s/%s M:%ld K:%ld N:%ld threads:%d %s", fam.c_str(),
                  fmt.c_str(), M, K, N, t, res.c_str());
    if (!best) {
      ++alone;  // only a dispatch row (e.g. the quick suite): nothing to compare with
      continue;
    }
    ++checked;
    const double ratio = value(d->second) / value(*best);
    const bool same = !d->second.label.empty() && d->second.label == best->label;
    const bool ok = same || ratio <= 1 + tolerance;
    same_kernel += same;
    within += !same && ok;
    failed += !ok;
    if (!ok || verbose)
      std::printf("%-4s %-52s dispatch %-36s %10.1f us  fastest %-36s %10.1f us  %5.3fx%s\n",
                  ok ? "ok" : "FAIL", where, d->second.label.c_str(), value(d->second) / 1e3,
                  best->label.c_str(), value(*best) / 1e3, ratio, same ? " (same kernel)" : "");
  }
  if (checked == 0)
    throw cli::InputError(path + ": no gemv/gemm case has both a dispatch row and a kernel row (" +
                          std::to_string(alone) + " dispatch-only, " + std::to_string(skipped) +
                          " errored rows)");
  std::printf(
      "%s: %zu cases: %zu dispatch ran the fastest row's kernel, %zu within %.0f %% of it, %zu "
      "failed (%zu dispatch-only cases and %zu errored rows not checked)\n",
      failed ? "FAIL" : "PASS", checked, same_kernel, within, tolerance * 100, failed, alone,
      skipped);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Is every gemv/gemm dispatch row of a suite result within PCT of the fastest kernel row of\n"
      "its case (or did it run that same kernel)?",
      "bitnet-dispatch-check");
  cli::configure(app);
  app.footer(
      "Exit status: 0 every case passes, 1 a case fails (each listed), 2 usage error,\n"
      "3 input error: unreadable file, not a result, no case with a dispatch and a\n"
      "kernel row (docs/cli.md).");
  std::string path, tolerance_text;
  bool verbose = false;
  app.add_option("RESULT.json", path, "bitnet_benches JSON result")->required();
  app.add_option("--tolerance", tolerance_text, "allowed slowdown in percent (default 5)")
      ->type_name("PCT");
  app.add_flag("--verbose", verbose, "list every case, not only the failing ones");
  return cli::run(app, argc, argv, [&] {
    double tolerance = 0.05;
    if (!tolerance_text.empty()) {
      tolerance = cli::parse_number("--tolerance", tolerance_text) / 100;
      if (!(tolerance >= 0)) throw cli::UsageError("--tolerance: expected a percentage >= 0");
    }
    return check(path, tolerance, verbose);
  });
}
