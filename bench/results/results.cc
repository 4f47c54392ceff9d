#include "bitnet/results/results.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace bitnet::diff {

namespace {

// Fields of a Google Benchmark row that are not user counters.
const std::set<std::string, std::less<>> kReservedFields = {"name",
                                                            "family_index",
                                                            "per_family_instance_index",
                                                            "run_name",
                                                            "run_type",
                                                            "repetitions",
                                                            "repetition_index",
                                                            "threads",
                                                            "iterations",
                                                            "real_time",
                                                            "cpu_time",
                                                            "time_unit",
                                                            "aggregate_name",
                                                            "aggregate_unit",
                                                            "error_occurred",
                                                            "error_message",
                                                            "label",
                                                            "big_o",
                                                            "rms",
                                                            "cpu_coefficient",
                                                            "real_coefficient",
                                                            "skipped",
                                                            "skip_message"};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw InputError(where + ": " + what);
}

double time_scale_to_ns(const std::string& unit, const std::string& where) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  fail(where + ".time_unit", "unknown time unit \"" + unit + "\" (expected ns, us, ms or s)");
}

double number_field(const nlohmann::json& row, const char* key, const std::string& where) {
  auto it = row.find(key);
  if (it == row.end()) fail(where, std::string("missing field \"") + key + "\"");
  if (!it->is_number()) fail(where + "." + key, "expected a number, got " + it->dump());
  return it->get<double>();
}

std::string string_field(const nlohmann::json& row, const char* key, const std::string& where,
                         const std::string& fallback) {
  auto it = row.find(key);
  if (it == row.end()) return fallback;
  if (!it->is_string()) fail(where + "." + key, "expected a string, got " + it->dump());
  return it->get<std::string>();
}

// Older Google Benchmark versions have no run_name: strip the aggregate suffix from the name.
std::string run_name_of(const nlohmann::json& row, const std::string& where, bool aggregate,
                        const std::string& aggregate_name) {
  std::string name = string_field(row, "name", where, "");
  if (name.empty()) fail(where, "missing or empty field \"name\"");
  std::string run_name = string_field(row, "run_name", where, "");
  if (!run_name.empty()) return run_name;
  const std::string suffix = "_" + aggregate_name;
  if (aggregate && name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    return name.substr(0, name.size() - suffix.size());
  return name;
}

// Google Benchmark writes non-finite doubles as bare NaN / Infinity, which is not JSON. Turn
// them into null outside strings so the document parses and the value reads as "not a number".
std::string replace_non_finite(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size())
        out.push_back(text[++i]);
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* token : {"-Infinity", "Infinity", "-NaN", "NaN"}) {
      const std::string_view t(token);
      if (text.compare(i, t.size(), t) == 0) {
        out += "null";
        i += t.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

BenchmarkSamples& entry(ResultSet& set, const std::string& name) {
  auto [it, inserted] = set.benchmarks.try_emplace(name);
  if (inserted) {
    it->second.name = name;
    it->second.family = family_of(name);
    set.order.push_back(name);
  }
  return it->second;
}

void merge_into(ResultSet& into, const ResultSet& from) {
  for (const std::string& name : from.order) {
    const BenchmarkSamples& src = from.benchmarks.at(name);
    BenchmarkSamples& dst = entry(into, name);
    const bool src_has_samples = !src.samples.empty() && !src.errored && !src.skipped;
    if (src_has_samples) {
      for (const auto& [metric, values] : src.samples) {
        auto& v = dst.samples[metric];
        v.insert(v.end(), values.begin(), values.end());
      }
      ++dst.runs;
      // A history is usable when any run of it worked: keep the failure only if none did.
      dst.errored = dst.skipped = false;
      dst.message.clear();
    } else if (dst.runs == 0 && (src.errored || src.skipped)) {
      dst.errored = src.errored;
      dst.skipped = src.skipped;
      dst.message = src.message;
    }
    if (dst.aggregates.empty()) dst.aggregates = src.aggregates;  // newest file first
    if (dst.label.empty()) dst.label = src.label;
    dst.repetitions_declared = std::max(dst.repetitions_declared, src.repetitions_declared);
  }
}

}  // namespace

std::string family_of(const std::string& name) {
  return name.substr(0, name.find('/'));
}

bool is_skip_message(const std::string& message) {
  auto starts_with_nocase = [&](std::string_view prefix) {
    if (message.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(message[i])) != prefix[i]) return false;
    return true;
  };
  // "CPU lacks <ISA>" is what bitnet_benches reports for a kernel this machine cannot run.
  return starts_with_nocase("skipped") || starts_with_nocase("cpu lacks ");
}

nlohmann::json parse_json_bounded(const std::string& text, const std::string& source) {
  // nlohmann's parser is iterative, but dump() and copies recurse: a document nested 100 000 deep
  // overflows the stack later. Refuse it while parsing (Google Benchmark output is 3 deep).
  const nlohmann::json::parser_callback_t limit_depth =
      [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            depth >= kMaxJsonDepth)
          fail(source, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels (Google Benchmark output is 3 deep)");
        return true;
      };
  return nlohmann::json::parse(text, limit_depth);
}

ResultSet parse_results_text(const std::string& text, const std::string& source) {
  return parse_results(parse_json_bounded(replace_non_finite(text), source), source);
}

ResultSet parse_results(const nlohmann::json& doc, const std::string& source) {
  if (!doc.is_object()) fail(source, "expected a JSON object with a \"benchmarks\" array");
  auto bench_it = doc.find("benchmarks");
  if (bench_it == doc.end() || !bench_it->is_array())
    fail(source, "missing \"benchmarks\" array (is this Google Benchmark JSON output?)");
  ResultSet set;
  set.source = source;
  set.files = {source};
  if (auto ctx = doc.find("context"); ctx != doc.end()) set.context = *ctx;
  const nlohmann::json& rows = *bench_it;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string where = source + ": benchmarks[" + std::to_string(i) + "]";
    const nlohmann::json& row = rows[i];
    if (!row.is_object()) fail(where, "expected an object, got " + row.dump());
    const std::string run_type = string_field(row, "run_type", where, "iteration");
    if (run_type != "iteration" && run_type != "aggregate")
      fail(where + ".run_type", "unknown value \"" + run_type + "\"");
    const bool aggregate = run_type == "aggregate";
    const std::string aggregate_name =
        aggregate ? string_field(row, "aggregate_name", where, "") : std::string();
    if (aggregate && aggregate_name.empty())
      fail(where, "aggregate row without \"aggregate_name\"");
    BenchmarkSamples& b = entry(set, run_name_of(row, where, aggregate, aggregate_name));
    if (auto l = row.find("label"); l != row.end() && l->is_string() && b.label.empty())
      b.label = l->get<std::string>();
    if (auto r = row.find("repetitions"); r != row.end() && r->is_number_integer())
      b.repetitions_declared = std::max(b.repetitions_declared, r->get<int>());

    // Errors and skips: 1.7.1 writes error_occurred + error_message; 1.8+ writes
    // error_occurred=false with a message for SkipWithMessage.
    const bool error_flag = row.value("error_occurred", false);
    const std::string message = string_field(row, "error_message", where, "");
    if (error_flag || !message.empty()) {
      const bool skip = !error_flag || is_skip_message(message);
      (skip ? b.skipped : b.errored) = true;
      if (b.message.empty()) b.message = message.empty() ? "error (no message)" : message;
      continue;  // an errored row's times are meaningless
    }

    // Times: scale to ns, except aggregates in percent (cv) which are unitless ratios.
    const bool unitless =
        aggregate && string_field(row, "aggregate_unit", where, "time") == "percentage";
    const double scale =
        unitless ? 1 : time_scale_to_ns(string_field(row, "time_unit", where, "ns"), where);
    std::map<std::string, double> values;
    values["real_time"] = number_field(row, "real_time", where) * scale;
    values["cpu_time"] = number_field(row, "cpu_time", where) * scale;
    for (const auto& [key, value] : row.items()) {
      if (kReservedFields.contains(key)) continue;
      // Strings (labels) are not counters; null is a NaN/Infinity counter: no sample this row.
      if (!value.is_number()) continue;
      values[key] = value.get<double>();
    }
    // A measured time is positive; zero or negative would read as an infinite improvement.
    // (stddev and cv aggregates may be 0.)
    if (!aggregate || aggregate_name == "mean" || aggregate_name == "median")
      for (const char* t : {"real_time", "cpu_time"})
        if (!(values[t] > 0))
          fail(where + "." + t, "must be > 0 (a measured time), got " + std::to_string(values[t]));
    for (const auto& [metric, v] : values) {
      if (!std::isfinite(v)) fail(where + "." + metric, "not a finite number");
      if (aggregate)
        b.aggregates[aggregate_name][metric] = v;
      else
        b.samples[metric].push_back(v);
    }
  }
  for (auto& [name, b] : set.benchmarks) b.runs = b.samples.empty() ? 0 : 1;
  return set;
}

ResultSet load_results(const std::filesystem::path& path, std::size_t history_depth) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto read_file = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) fail(p.string(), "cannot open file");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      return parse_results_text(ss.str(), p.string());
    } catch (const nlohmann::json::parse_error& e) {
      // e.byte is the offset of the offending byte.
      fail(p.string(), "invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    }
  };
  if (fs::is_regular_file(path, ec)) return read_file(path);
  if (!fs::is_directory(path, ec)) fail(path.string(), "no such file or directory");

  std::vector<ResultSet> runs;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") runs.push_back(read_file(e.path()));
  if (ec) fail(path.string(), "cannot list directory: " + ec.message());
  if (runs.empty()) fail(path.string(), "history directory holds no *.json result file");
  auto date = [](const ResultSet& r) { return r.context.value("date", std::string()); };
  std::sort(runs.begin(), runs.end(), [&](const ResultSet& a, const ResultSet& b) {
    return std::pair(date(a), a.source) > std::pair(date(b), b.source);  // newest first
  });
  if (history_depth > 0 && runs.size() > history_depth) runs.resize(history_depth);

  ResultSet pooled;
  pooled.source = path.string();
  pooled.context = runs.front().context;
  for (const ResultSet& r : runs) {
    pooled.files.push_back(r.source);
    merge_into(pooled, r);
  }
  return pooled;
}

}  // namespace bitnet::diff
