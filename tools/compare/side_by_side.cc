#include "bitnet/compare/side_by_side.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "bitnet/results/gbench_json.h"

namespace bitnet::compare {

using nlohmann::json;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? p : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

// Parses "decode/<model>/.../threads:T[/real_time]" or "peer/<peer>/decode/<model>/...".
bool parse_case(std::string name, CaseSamples& c) {
  if (name.ends_with("/real_time")) name.resize(name.size() - 10);
  auto seg = split(name, '/');
  size_t i = 0;
  if (seg.size() > 2 && seg[0] == "peer") {
    c.peer = seg[1];
    i = 2;
  }
  if (seg.size() < i + 3 || (seg[i] != "decode" && seg[i] != "prefill")) return false;
  c.phase = seg[i];
  c.model = seg[i + 1];
  for (size_t k = i + 2; k < seg.size(); ++k) {
    if (seg[k].starts_with("threads:")) c.threads = std::atoi(seg[k].c_str() + 8);
    if (seg[k].starts_with("tokens:")) c.tokens = std::atoi(seg[k].c_str() + 7);
  }
  c.run_name = name;
  return c.threads > 0;
}

}  // namespace

std::vector<CaseSamples> collect_cases(const std::vector<json>& docs) {
  std::map<std::string, CaseSamples> cases;
  std::map<std::string, std::pair<double, std::string>> agg;  // run_name → (value, basis)
  for (const auto& doc : docs) {
    if (!doc.contains("benchmarks") || !doc["benchmarks"].is_array()) continue;
    for (const auto& b : doc["benchmarks"]) {
      if (!b.is_object() || !b.contains("tokens_per_second") || !b["tokens_per_second"].is_number())
        continue;
      std::string run = b.value("run_name", b.value("name", std::string()));
      CaseSamples c;
      if (!parse_case(run, c)) continue;
      auto [it, inserted] = cases.try_emplace(c.run_name, c);
      const double v = b["tokens_per_second"].get<double>();
      const std::string type = b.value("run_type", std::string("iteration"));
      if (type == "iteration") {
        it->second.tps.push_back(v);
      } else if (type == "aggregate") {
        const std::string an = b.value("aggregate_name", std::string());
        auto& a = agg[c.run_name];
        if (an == "median" || (an == "mean" && a.second != "median aggregate"))
          a = {v, an + " aggregate"};
      }
    }
  }
  std::vector<CaseSamples> out;
  for (auto& [name, c] : cases) {
    if (!c.tps.empty()) {
      c.median_tps = compute_stats(c.tps).median;
      c.basis = fmt::format("median of {}", c.tps.size());
    } else if (agg.count(name)) {
      c.median_tps = agg[name].first;
      c.basis = agg[name].second;
    } else {
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<SideRow> side_by_side(const std::vector<CaseSamples>& ours,
                                  const std::vector<CaseSamples>& peer) {
  std::vector<SideRow> rows;
  for (const auto& o : ours) {
    for (const auto& p : peer) {
      if (o.phase != p.phase || o.threads != p.threads) continue;
      SideRow r;
      r.phase = o.phase;
      r.threads = o.threads;
      r.ours_name = o.run_name;
      r.peer_name = p.run_name;
      r.peer = p.peer;
      r.ours_tps = o.median_tps;
      r.peer_tps = p.median_tps;
      r.ours_n = o.tps.size();
      r.peer_n = p.tps.size();
      r.ours_tokens = o.tokens;
      r.peer_tokens = p.tokens;
      r.unlike = o.phase == "prefill" && o.tokens > 0 && p.tokens > 0 && o.tokens != p.tokens;
      r.ratio = p.median_tps > 0 && !r.unlike ? o.median_tps / p.median_tps : 0;
      rows.push_back(std::move(r));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const SideRow& a, const SideRow& b) {
    return std::tie(a.phase, a.threads, a.ours_name, a.peer_name) <
           std::tie(b.phase, b.threads, b.ours_name, b.peer_name);
  });
  return rows;
}

std::string format_side_by_side(const std::vector<SideRow>& rows) {
  if (rows.empty())
    return "no matching decode/prefill rows (same phase and thread count) in both inputs\n";
  size_t w_ours = 4, w_peer = 4;
  for (const auto& r : rows) {
    w_ours = std::max(w_ours, r.ours_name.size());
    w_peer = std::max(w_peer, r.peer_name.size());
  }
  std::string s = fmt::format("{:<{}}  {:>12}  {:<{}}  {:>12}  {:>9}\n", "ours", w_ours,
                              "t/s (median)", "peer", w_peer, "t/s (median)", "ours/peer");
  std::string notes;
  for (const auto& r : rows) {
    if (r.unlike) {
      s += fmt::format("{:<{}}  {:>12.2f}  {:<{}}  {:>12.2f}  {:>9}\n", r.ours_name, w_ours,
                       r.ours_tps, r.peer_name, w_peer, r.peer_tps, "unlike");
      notes += fmt::format(
          "note: {} has {} prompt tokens, {} has {}: prefill tokens/s of unlike lengths are not "
          "comparable (no ratio)\n",
          r.ours_name, r.ours_tokens, r.peer_name, r.peer_tokens);
      continue;
    }
    s += fmt::format("{:<{}}  {:>12.2f}  {:<{}}  {:>12.2f}  {:>8.3f}x\n", r.ours_name, w_ours,
                     r.ours_tps, r.peer_name, w_peer, r.peer_tps, r.ratio);
  }
  return s + notes;
}

json merge_reports(const std::vector<json>& ours, const std::vector<json>& peer) {
  json out;
  out["context"] =
      !ours.empty() && ours[0].contains("context") ? ours[0]["context"] : json::object();
  if (!peer.empty() && peer[0].contains("context"))
    out["context"]["peer_context"] = peer[0]["context"];
  json benchmarks = json::array();
  for (const auto* side : {&ours, &peer})
    for (const auto& doc : *side)
      if (doc.contains("benchmarks"))
        for (const auto& b : doc["benchmarks"]) benchmarks.push_back(b);
  out["benchmarks"] = std::move(benchmarks);
  return out;
}

}  // namespace bitnet::compare
