#include "bitnet/compare/kernel_table.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "bitnet/results/gbench_json.h"
#include "bitnet/results/naming.h"

namespace bitnet::compare {
namespace {

using nlohmann::json;

struct Collected {
  std::vector<double> iterations_ns;
  std::optional<double> median_ns;  // from a "median" aggregate row
  std::string error;
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

KernelCell cell_of(const std::string& impl, const Collected& c) {
  KernelCell k;
  k.impl = impl;
  k.error = c.error;
  k.samples = static_cast<int>(c.iterations_ns.size());
  if (!c.error.empty()) return k;
  if (c.median_ns)
    k.median_ns = c.median_ns;
  else if (!c.iterations_ns.empty())
    k.median_ns = median_of(c.iterations_ns);
  return k;
}

std::string case_key(const bench::CaseName& n) {
  bench::CaseName c = n;
  c.labels.erase(c.labels.begin() + 1);  // the implementation
  c.time_type.clear();
  c.aggregate.clear();
  return c.str();
}

std::string time_cell(const KernelCell& c) {
  if (!c.error.empty()) return "error";
  if (!c.median_ns) return "-";
  return fmt::format("{:.1f}", *c.median_ns / 1e3);
}

}  // namespace

std::vector<KernelTableRow> kernel_table(const json& results) {
  if (!results.is_object() || !results.contains("benchmarks") || !results["benchmarks"].is_array())
    throw std::runtime_error("not a Google Benchmark result: no \"benchmarks\" array");
  // case -> impl -> collected
  std::map<std::string, std::map<std::string, Collected>> cases;
  std::vector<std::string> order;
  for (const json& b : results["benchmarks"]) {
    const std::string run_name = b.value("run_name", b.value("name", ""));
    const bench::ParsedName p = bench::parse_case_name(run_name);
    if (!p.name) continue;
    const bench::CaseName& n = *p.name;
    if (n.family != "gemv" && n.family != "gemm" && n.family != "quant_act") continue;
    if (n.labels.size() < 2) continue;
    const std::string key = case_key(n);
    if (!cases.count(key)) order.push_back(key);
    Collected& c = cases[key][n.labels[1]];
    if (b.value("error_occurred", false)) {
      c.error = b.value("error_message", "error");
      continue;
    }
    const std::string type = b.value("run_type", "iteration");
    double unit = 1.0;
    try {
      unit = ns_per_unit(b.value("time_unit", "ns"));
    } catch (const std::invalid_argument&) {
      continue;
    }
    if (!b.contains("real_time") || !b["real_time"].is_number()) continue;
    const double ns = b["real_time"].get<double>() * unit;
    if (type == "aggregate") {
      if (b.value("aggregate_name", "") == "median") c.median_ns = ns;
    } else {
      c.iterations_ns.push_back(ns);
    }
  }
  std::vector<KernelTableRow> out;
  for (const std::string& key : order) {
    const auto& impls = cases[key];
    KernelTableRow base;
    base.name_case = key;
    for (const auto& [impl, c] : impls) {
      if (impl.starts_with("peer.")) continue;
      const KernelCell k = cell_of(impl, c);
      if (impl == "dispatch") base.dispatch = k;
      if (k.median_ns && (!base.best_ours.median_ns || *k.median_ns < *base.best_ours.median_ns))
        base.best_ours = k;
    }
    for (const auto& [impl, c] : impls) {
      if (!impl.starts_with("peer.")) continue;
      KernelTableRow r = base;
      r.peer = cell_of(impl, c);
      if (r.peer.median_ns && r.best_ours.median_ns)
        r.peer_over_best = *r.peer.median_ns / *r.best_ours.median_ns;
      if (r.peer.median_ns && r.dispatch.median_ns)
        r.peer_over_dispatch = *r.peer.median_ns / *r.dispatch.median_ns;
      out.push_back(std::move(r));
    }
  }
  // By case name (random interleaving scrambles the file's order).
  std::stable_sort(out.begin(), out.end(), [](const KernelTableRow& a, const KernelTableRow& b) {
    return a.name_case < b.name_case;
  });
  return out;
}

std::string format_kernel_table(const std::vector<KernelTableRow>& rows) {
  if (rows.empty())
    return "no case has both a peer row and one of ours (run bitnet_benches with --bitnet_peer)\n";
  std::string s =
      "| case | best of ours | µs | dispatch µs | peer | µs | peer/best | peer/dispatch |\n"
      "|---|---|---:|---:|---|---:|---:|---:|\n";
  std::vector<std::string> errors;
  for (const KernelTableRow& r : rows) {
    auto ratio = [](const std::optional<double>& v) {
      return v ? fmt::format("{:.2f}x", *v) : std::string("-");
    };
    s += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", r.name_case,
                     r.best_ours.impl.empty() ? "-" : r.best_ours.impl, time_cell(r.best_ours),
                     time_cell(r.dispatch), r.peer.impl, time_cell(r.peer), ratio(r.peer_over_best),
                     ratio(r.peer_over_dispatch));
    if (!r.peer.error.empty())
      errors.push_back(fmt::format("{} {}: {}", r.name_case, r.peer.impl, r.peer.error));
    if (!r.dispatch.error.empty())
      errors.push_back(fmt::format("{} dispatch: {}", r.name_case, r.dispatch.error));
  }
  s += "\nµs: median real time per call; peer/best > 1: ours is faster by that factor.\n";
  for (const std::string& e : errors) s += "error: " + e + "\n";
  return s;
}

}  // namespace bitnet::compare
