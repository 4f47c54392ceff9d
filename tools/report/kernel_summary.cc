#include "bitnet/report/kernel_summary.h"

#include <algorithm>
#include <map>

namespace bitnet::report {

namespace {

bool has_impl_label(const std::string& family) {
  return family == "gemv" || family == "gemm" || family == "dequant" || family == "quant_act";
}

// The name with labels[1] (the implementation) left out: rows of one case share it.
std::string case_key(const bench::CaseName& c) {
  std::string key = c.family;
  for (std::size_t i = 0; i < c.labels.size(); ++i)
    if (i != 1) key += "/" + c.labels[i];
  for (const auto& [k, v] : c.args) key += "/" + k + ":" + v;
  if (!c.residency.empty()) key += "/" + c.residency;
  return key;
}

}  // namespace

std::vector<KernelCase> kernel_summary(const RunData& run, double flag_threshold) {
  struct Group {
    KernelCase c;
    std::vector<const Row*> impls;
    const Row* dispatch = nullptr;
  };
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  for (const Row& r : run.rows) {
    if (!r.parsed || !r.peer.empty() || !has_impl_label(r.parsed->family)) continue;
    if (r.parsed->labels.size() < 2 || !r.get("real_time")) continue;
    const std::string impl = r.parsed->labels[1];
    if (impl.starts_with("peer.")) continue;  // a reference implementation, not a candidate
    const std::string key = case_key(*r.parsed);
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      groups.emplace_back();
      groups.back().c.family = r.parsed->family;
      groups.back().c.key = key;
    }
    Group& g = groups[it->second];
    if (impl == "dispatch")
      g.dispatch = &r;
    else
      g.impls.push_back(&r);
  }
  std::vector<KernelCase> out;
  for (Group& g : groups) {
    if (g.impls.empty()) continue;
    KernelCase& c = g.c;
    c.kernels = g.impls.size();
    const Row* best = nullptr;
    for (const Row* r : g.impls) {
      const double t = *r->get("real_time");
      if (!best || t < c.best_time) best = r, c.best_time = t;
      if (is_scalar_impl(r->parsed->labels[1])) c.scalar_time = t;
    }
    c.best_impl = best->parsed->labels[1];
    if (g.dispatch) {
      c.dispatch_kernel = g.dispatch->label;
      c.dispatch_time = *g.dispatch->get("real_time");
      for (const Row* r : g.impls)
        if (!r->label.empty() && r->label == g.dispatch->label)
          c.dispatch_impl = r->parsed->labels[1];
      c.dispatch_loss = std::max(0.0, *c.dispatch_time / c.best_time - 1);
      c.dispatch_not_best = !c.dispatch_impl.empty() && c.dispatch_impl != c.best_impl;
      c.flagged = c.dispatch_not_best && c.dispatch_loss >= flag_threshold;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace bitnet::report
