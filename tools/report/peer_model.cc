#include "bitnet/report/peer_model.h"

#include <map>

namespace bitnet::report {

namespace {

// The arguments a peer row and ours share: threads. Like `bitnet-compare table`, prefill pairs
// whatever the prompt lengths (llama-bench's -p may differ from our 128), and the label says both.
std::string args_text(const Row& r) {
  std::string s;
  for (const auto& [k, v] : r.parsed->args)
    if (k != "pos" && k != "tokens") s += " " + k + ":" + v;
  return s;
}

std::string tokens_text(const Row& r) {
  auto pos = r.arg("pos");
  auto tokens = r.arg("tokens");
  return pos ? "pos:" + std::to_string(*pos) : tokens ? "tokens:" + std::to_string(*tokens) : "";
}

// Higher-is-better value of a kernel row: GOPS when it has them, else calls per second.
double kernel_rate(const Row& r, std::string& unit) {
  if (auto g = r.get("GOPS")) {
    unit = "GOPS";
    return *g;
  }
  unit = "calls/s";
  auto t = r.get("real_time");
  return t && *t > 0 ? 1e9 / *t : 0;
}

}  // namespace

std::vector<PeerPair> peer_pairs(const std::vector<const RunData*>& runs) {
  // Our model rows by (phase, model, args without pos): the smallest pos wins.
  std::map<std::string, const Row*> ours_model;
  std::map<std::string, const Row*> ours_dispatch;  // kernel case key -> dispatch row
  std::vector<const Row*> peer_rows;
  for (const RunData* run : runs)
    for (const Row& r : run->rows) {
      if (!r.parsed) continue;
      const std::string& fam = r.parsed->family;
      const bool model = fam == "decode" || fam == "prefill";
      if (!r.peer.empty() ||
          (r.parsed->labels.size() > 1 && r.parsed->labels[1].starts_with("peer."))) {
        peer_rows.push_back(&r);
        continue;
      }
      if (model && r.get("tokens_per_second")) {
        const std::string key = fam + " " + r.label_at(0) + args_text(r);
        auto [it, inserted] = ours_model.try_emplace(key, &r);
        if (!inserted && r.arg("pos").value_or(0) < it->second->arg("pos").value_or(0))
          it->second = &r;
      } else if (r.parsed->labels.size() > 1 && r.parsed->labels[1] == "dispatch") {
        ours_dispatch[r.name] = &r;
      }
    }
  std::vector<PeerPair> out;
  for (const Row* p : peer_rows) {
    PeerPair pair;
    pair.peer_name = p->name;
    const std::string& fam = p->parsed->family;
    if (!p->peer.empty()) {
      const std::string key = fam + " " + p->label_at(0) + args_text(*p);
      auto it = ours_model.find(key);
      auto theirs = p->get("tokens_per_second");
      if (it == ours_model.end() || !theirs) continue;
      pair.kind = "model";
      pair.peer = p->peer;
      pair.label = key;
      const std::string ours_at = tokens_text(*it->second), peer_at = tokens_text(*p);
      if (!ours_at.empty() || !peer_at.empty())
        pair.label += " (ours " + (ours_at.empty() ? "-" : ours_at) + ", peer " +
                      (peer_at.empty() ? "-" : peer_at) + ")";
      pair.unit = "tokens/s";
      pair.ours_name = it->second->name;
      pair.ours = *it->second->get("tokens_per_second");
      pair.theirs = *theirs;
    } else {
      // <family>/<format>/peer.<peer>/... : our dispatch row has the same name with "dispatch".
      const std::string impl = p->parsed->labels[1];
      std::string ours_name = p->name;
      const std::size_t at = ours_name.find("/" + impl + "/");
      if (at == std::string::npos) continue;  // nothing after the label: no case to pair
      ours_name.replace(at, impl.size() + 2, "/dispatch/");
      auto it = ours_dispatch.find(ours_name);
      if (it == ours_dispatch.end()) continue;
      pair.kind = "kernel";
      pair.peer = impl.substr(5);
      pair.label = ours_name.substr(0, ours_name.rfind("/real_time"));
      pair.ours_name = ours_name;
      std::string unit_ours, unit_theirs;
      pair.ours = kernel_rate(*it->second, unit_ours);
      pair.theirs = kernel_rate(*p, unit_theirs);
      if (unit_ours != unit_theirs) {  // compare like with like: calls per second
        unit_ours = unit_theirs = "calls/s";
        pair.ours = 1e9 / *it->second->get("real_time");
        pair.theirs = 1e9 / p->get("real_time").value_or(1e300);
      }
      pair.unit = unit_ours;
    }
    out.push_back(std::move(pair));
  }
  return out;
}

}  // namespace bitnet::report
