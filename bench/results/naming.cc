#include "bitnet/results/naming.h"

#include <charconv>

namespace bitnet::bench {
namespace {

const std::vector<FamilyGrammar>& family_table() {
  static const std::vector<FamilyGrammar> table = {
      {"gemv", {"format", "impl"}, 2, {"M", "K", "N", "threads"}, true},
      {"gemm", {"format", "impl"}, 2, {"M", "K", "N", "threads"}, true},
      {"dequant", {"format", "impl", "out_type"}, 3, {"rows", "K", "threads"}, false},
      {"quant_act", {"act_type", "impl"}, 2, {"N", "K", "threads"}, false},
      {"dense", {"op", "impl"}, 2, {"M", "K", "threads"}, false},
      {"decode", {"model"}, 1, {"pos", "threads"}, false},
      {"prefill", {"model"}, 1, {"tokens", "threads"}, false},
      {"probe", {"limit", "isa"}, 1, {"threads"}, false},
  };
  return table;
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}
bool is_label(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_label_char(c)) return false;
  return true;
}
bool is_key(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) return false;
  return true;
}
std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}
ParsedName fail(std::string_view name, const std::string& why) {
  return {std::nullopt, "benchmark name '" + std::string(name) + "': " + why};
}

}  // namespace

std::string CaseName::str() const {
  std::string s = family;
  for (const auto& l : labels) s += "/" + l;
  for (const auto& [k, v] : args) s += "/" + k + ":" + v;
  if (!residency.empty()) s += "/" + residency;
  return s;
}

std::optional<std::string_view> CaseName::arg(std::string_view key) const {
  for (const auto& [k, v] : args)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

std::optional<int64_t> CaseName::int_arg(std::string_view key) const {
  auto v = arg(key);
  if (!v) return std::nullopt;
  return to_int(*v);
}

std::span<const FamilyGrammar> families() {
  return family_table();
}

const FamilyGrammar* find_family(std::string_view family) {
  for (const auto& f : family_table())
    if (f.family == family) return &f;
  return nullptr;
}

ParsedName parse_case_name(std::string_view name) {
  std::vector<std::string_view> segs = split(name, '/');
  CaseName c;
  // Aggregate rows carry "_mean" etc. on the last segment.
  std::string last(segs.back());
  for (std::string_view agg : {"mean", "median", "stddev", "cv"}) {
    std::string suffix(1, '_');  // not "_" + ...: GCC 12 -Wrestrict false positive
    suffix += agg;
    if (last.size() > suffix.size() && last.ends_with(suffix)) {
      c.aggregate = agg;
      last.resize(last.size() - suffix.size());
      break;
    }
  }
  segs.back() = last;
  if (segs.back() == "real_time") {
    c.time_type = "real_time";
    segs.pop_back();
  }
  if (segs.empty()) return fail(name, "empty");
  c.family = std::string(segs[0]);
  const FamilyGrammar* g = find_family(c.family);
  if (!g) return fail(name, "unknown family '" + c.family + "'");
  size_t i = 1;
  for (; i < segs.size() && segs[i].find(':') == std::string_view::npos; ++i) {
    if (c.labels.size() == g->labels.size()) break;
    if (!is_label(segs[i]))
      return fail(name, "label '" + std::string(segs[i]) + "' is not [a-z0-9_.-]+");
    c.labels.emplace_back(segs[i]);
  }
  if (c.labels.size() < g->min_labels)
    return fail(name, "expected " + std::to_string(g->min_labels) + " labels (" +
                          std::string(g->labels[c.labels.size()]) + " missing)");
  for (std::string_view key : g->keys) {
    if (i >= segs.size()) return fail(name, "missing argument " + std::string(key));
    auto kv = split(segs[i], ':');
    if (kv.size() != 2 || !is_key(kv[0]))
      return fail(name, "segment '" + std::string(segs[i]) + "' is not key:value");
    if (kv[0] != key)
      return fail(name,
                  "expected argument " + std::string(key) + " but found " + std::string(kv[0]));
    if (!to_int(kv[1]))
      return fail(name, "argument " + std::string(key) + " value '" + std::string(kv[1]) +
                            "' is not a non-negative integer");
    c.args.emplace_back(std::string(kv[0]), std::string(kv[1]));
    ++i;
  }
  if (i < segs.size() && (segs[i] == "hot" || segs[i] == "cold")) c.residency = segs[i++];
  if (g->residency && c.residency.empty()) return fail(name, "missing hot|cold");
  if (!g->residency && !c.residency.empty()) return fail(name, c.family + " has no residency");
  if (i != segs.size()) return fail(name, "unexpected segment '" + std::string(segs[i]) + "'");
  if (c.family == "gemv" && c.int_arg("N") != 1) return fail(name, "gemv needs N:1");
  if (c.family == "gemm" && c.int_arg("N") <= 1) return fail(name, "gemm needs N > 1");
  if (c.int_arg("threads") == 0) return fail(name, "threads:0");
  return {std::move(c), {}};
}

std::string sanitize_label(std::string_view text) {
  std::string out;
  for (char c : text) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    out += is_label_char(l) ? l : '_';
  }
  if (out.empty()) out.push_back('_');
  return out;
}

}  // namespace bitnet::bench
