#include "bitnet/report/machine_model.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace bitnet::report {

namespace {

std::string context_string(const nlohmann::json& ctx, const std::string& key) {
  auto it = ctx.find(key);
  if (it == ctx.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

// Parses "<limit>[/<isa>]/threads:<T>" (after the bitnet_limit_ prefix).
bool parse_limit_key(const std::string& key, MachineLimit& out) {
  const std::size_t t = key.rfind("/threads:");
  if (t == std::string::npos) return false;
  try {
    out.threads = std::stoi(key.substr(t + 9));
  } catch (const std::exception&) {
    return false;
  }
  const std::string head = key.substr(0, t);
  const std::size_t slash = head.find('/');
  out.limit = head.substr(0, slash);
  out.isa = slash == std::string::npos ? "" : head.substr(slash + 1);
  return !out.limit.empty() && out.threads > 0;
}

double to_number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) try {
      return std::stod(v.get<std::string>());
    } catch (const std::exception&) {
    }
  return 0;
}

}  // namespace

MachineInfo machine_info(const RunData& run) {
  MachineInfo info;
  const nlohmann::json& ctx = run.context;
  if (!ctx.is_object()) return info;
  auto fact = [&](const char* what, std::string value) {
    if (!value.empty()) info.facts.emplace_back(what, std::move(value));
  };
  fact("CPU", context_string(ctx, "bitnet_cpu_model"));
  fact("Host", context_string(ctx, "host_name"));
  std::string cpus = context_string(ctx, "num_cpus");
  if (auto mhz = context_string(ctx, "mhz_per_cpu"); !mhz.empty()) cpus += " @ " + mhz + " MHz";
  fact("CPUs", cpus);
  fact("Best ISA", context_string(ctx, "bitnet_best_isa"));
  if (auto caches = ctx.find("caches"); caches != ctx.end() && caches->is_array()) {
    std::string text;
    for (const auto& c : *caches) {
      if (!c.is_object()) continue;
      const double size = to_number(c.value("size", nlohmann::json(0)));
      text += fmt::format("{}L{} {} {:g} KiB", text.empty() ? "" : ", ", c.value("level", 0),
                          c.value("type", std::string()), size / 1024);
    }
    fact("Caches", text);
  }
  if (auto load = ctx.find("load_avg"); load != ctx.end() && load->is_array()) {
    std::string text;
    for (const auto& v : *load)
      text += fmt::format("{}{:.2f}", text.empty() ? "" : " ", to_number(v));
    fact("Load average", text);
  }
  fact("Date", context_string(ctx, "date"));
  fact("Commit", context_string(ctx, "bitnet_git_commit"));
  fact("Compiler", context_string(ctx, "bitnet_compiler"));
  fact("Mode", context_string(ctx, "bitnet_mode"));
  fact("Threads", context_string(ctx, "bitnet_threads"));
  fact("Machine key", context_string(ctx, "nightly_machine_key"));
  std::istringstream features(context_string(ctx, "bitnet_cpu_features"));
  for (std::string f; features >> f;) info.features.push_back(f);

  for (const auto& [key, value] : ctx.items()) {
    if (key.starts_with("bitnet_limit_")) {
      MachineLimit l;
      if (parse_limit_key(key.substr(13), l)) {
        l.value = to_number(value);
        if (l.value > 0) info.limits.push_back(l);
      }
    } else if (key.starts_with("bitnet_dispatch_")) {
      info.dispatch.emplace_back(key.substr(16),
                                 value.is_string() ? value.get<std::string>() : value.dump());
    } else if (key.starts_with("bitnet_tuning")) {
      info.tuning.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  // A run without context limits (e.g. an older file): the probe rows' own counters.
  if (info.limits.empty())
    for (const Row& r : run.rows) {
      if (!r.parsed || r.parsed->family != "probe" || !r.peer.empty()) continue;
      MachineLimit l;
      l.limit = r.label_at(0);
      l.isa = r.label_at(1);
      l.threads = static_cast<int>(r.arg("threads").value_or(0));
      const char* counter = l.bandwidth() ? "limit_bytes_per_second" : "limit_GOPS";
      if (auto v = r.get(counter)) l.value = l.bandwidth() ? *v : *v * 1e9;
      if (l.threads > 0 && l.value > 0) info.limits.push_back(l);
    }
  std::sort(info.limits.begin(), info.limits.end(), [](const auto& a, const auto& b) {
    return std::tie(a.limit, a.isa, a.threads) < std::tie(b.limit, b.isa, b.threads);
  });
  return info;
}

double find_limit(const MachineInfo& info, const std::string& limit, const std::string& isa,
                  int threads) {
  for (const MachineLimit& l : info.limits)
    if (l.limit == limit && l.isa == isa && l.threads == threads) return l.value;
  return 0;
}

}  // namespace bitnet::report
