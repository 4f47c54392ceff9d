#include "bitnet/results/gbench_json.h"

#include "bitnet/results/naming.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace bitnet::compare {

using json = nlohmann::ordered_json;

Stats compute_stats(const std::vector<double>& v) {
  Stats s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  s.median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  if (n > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  return s;
}

double ns_per_unit(const std::string& u) {
  if (u == "ns") return 1;
  if (u == "us") return 1e3;
  if (u == "ms") return 1e6;
  if (u == "s") return 1e9;
  throw std::invalid_argument(fmt::format("time unit '{}' is not one of ns, us, ms, s", u));
}

std::string sanitize_label(const std::string& text) {
  return bench::sanitize_label(text);  // the grammar's one label rule (naming.h)
}

std::string default_model_label(const std::string& model_path) {
  std::string name = std::filesystem::path(model_path).filename().string();
  if (name.size() > 5 && name.ends_with(".gguf")) name.resize(name.size() - 5);
  return sanitize_label(name);
}

std::string row_name(const PeerContext& ctx, const Measurement& m) {
  if (m.phase == "prefill")
    return fmt::format("peer/{}/prefill/{}/tokens:{}/threads:{}", ctx.peer, ctx.model_label,
                       m.tokens, m.threads);
  return fmt::format("peer/{}/{}/{}/threads:{}", ctx.peer, m.phase, ctx.model_label, m.threads);
}

namespace {

json make_context(const PeerContext& c) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  char date[64] = {0};
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  double load[3] = {0, 0, 0};
  int nl = getloadavg(load, 3);
  json ctx = {
      {"date", date},
      {"host_name", host},
      {"executable", "bitnet-compare"},
      {"num_cpus", sysconf(_SC_NPROCESSORS_ONLN)},
      {"mhz_per_cpu", 0},
      {"cpu_scaling_enabled", false},
      {"caches", json::array()},
      {"load_avg", nl == 3 ? json::array({load[0], load[1], load[2]}) : json::array()},
      {"library_build_type", "release"},
      {"peer", c.peer},
      {"peer_tool", c.tool},
      {"peer_binary", c.binary},
      {"peer_version", c.version},
      {"peer_build_commit", c.build_commit},
      {"peer_build_number", c.build_number},
      {"peer_cpu_info", c.cpu_info},
      {"peer_command", c.command},
      {"model_path", c.model_path},
      {"model_sha256", c.model_sha256},
      {"model_label", c.model_label},
      {"model_type", c.model_type},
      {"cpu_time_note",
       "cpu_time repeats real_time: a peer's per-token CPU time is not observable"},
  };
  return ctx;
}

json base_row(const std::string& name, int family, int reps, int threads, const std::string& unit) {
  return json{{"name", name},     {"family_index", family}, {"per_family_instance_index", 0},
              {"run_name", name}, {"repetitions", reps},    {"threads", threads},
              {"time_unit", unit}};
}

}  // namespace

namespace {

// The Google Benchmark rows of one measurement (iterations, then aggregates), appended to `out`.
void append_value_rows(std::vector<json>& out, const PeerContext& ctx, const Measurement& m,
                       int family, const std::string& time_unit, double unit_ns);

// The rows of one measurement with its residency counters (the names our decode rows use).
void append_rows(std::vector<json>& out, const PeerContext& ctx, const Measurement& m, int family,
                 const std::string& time_unit, double unit_ns) {
  const size_t first = out.size();
  append_value_rows(out, ctx, m, family, time_unit, unit_ns);
  for (size_t i = first; i < out.size(); ++i) {
    json& r = out[i];
    if (m.resident_frac) r["resident_frac"] = *m.resident_frac;
    if (m.major_faults) {
      r["major_faults"] = *m.major_faults;
      // The faults are the whole process's (its binary and libraries too): the model is blamed
      // only when it was not all resident before the peer started.
      if (*m.major_faults > 0)
        r["label"] = fmt::format(
            "disk reads: {} major page faults in the peer process{}", *m.major_faults,
            m.resident_frac && *m.resident_frac < 1 ? " (model not resident before it started)"
                                                    : "");
    }
  }
}

void append_value_rows(std::vector<json>& out, const PeerContext& ctx, const Measurement& m,
                       int family, const std::string& time_unit, double unit_ns) {
  const std::string name = row_name(ctx, m);
  const int reps = static_cast<int>(m.ns_per_token.size());
  if (reps > 0) {
    for (int i = 0; i < reps; ++i) {
      json r = base_row(name, family, reps, m.threads, time_unit);
      r["run_type"] = "iteration";
      r["repetition_index"] = i;
      r["iterations"] = m.tokens;
      const double t = m.ns_per_token[i] / unit_ns;
      r["real_time"] = t;
      r["cpu_time"] = t;
      r["tokens_per_second"] = i < static_cast<int>(m.tokens_per_second.size())
                                   ? m.tokens_per_second[i]
                                   : 1e9 / m.ns_per_token[i];
      out.push_back(std::move(r));
    }
    std::vector<double> tps = m.tokens_per_second;
    if (tps.size() != m.ns_per_token.size()) {
      tps.clear();
      for (double ns : m.ns_per_token) tps.push_back(1e9 / ns);
    }
    const Stats st = compute_stats(m.ns_per_token);
    const Stats sc = compute_stats(tps);
    const std::pair<const char*, std::pair<double, double>> aggs[] = {
        {"mean", {st.mean, sc.mean}},
        {"median", {st.median, sc.median}},
        {"stddev", {st.stddev, sc.stddev}}};
    for (const auto& [agg, vals] : aggs) {
      json r = base_row(name + "_" + agg, family, reps, m.threads, time_unit);
      r["run_name"] = name;
      r["run_type"] = "aggregate";
      r["aggregate_name"] = agg;
      r["aggregate_unit"] = "time";
      r["iterations"] = reps;
      r["real_time"] = vals.first / unit_ns;
      r["cpu_time"] = vals.first / unit_ns;
      r["tokens_per_second"] = vals.second;
      out.push_back(std::move(r));
    }
  } else if (m.mean_tps) {
    // Only mean ± stddev are known (llama-bench md/csv): no per-repetition or median rows.
    const double mean_ns = m.mean_ns_per_token.value_or(1e9 / *m.mean_tps);
    const double sd_ns = m.stddev_ns_per_token.value_or(
        m.stddev_tps ? *m.stddev_tps * 1e9 / (*m.mean_tps * *m.mean_tps) : 0.0);
    const std::pair<const char*, std::pair<double, double>> aggs[] = {
        {"mean", {mean_ns, *m.mean_tps}}, {"stddev", {sd_ns, m.stddev_tps.value_or(0.0)}}};
    for (const auto& [agg, vals] : aggs) {
      json r = base_row(name + "_" + agg, family, 0, m.threads, time_unit);
      r["run_name"] = name;
      r["run_type"] = "aggregate";
      r["aggregate_name"] = agg;
      r["aggregate_unit"] = "time";
      r["iterations"] = 0;
      r["real_time"] = vals.first / unit_ns;
      r["cpu_time"] = vals.first / unit_ns;
      r["tokens_per_second"] = vals.second;
      out.push_back(std::move(r));
    }
  } else {
    throw std::invalid_argument(fmt::format("measurement {} has no values", name));
  }
}

// `text` with `pad` spaces before every line but the first (a value dumped with indent 2, placed
// at a deeper level of an enclosing dump(2)); dumped strings hold no raw newline.
std::string indented(const std::string& text, size_t pad) {
  std::string out;
  out.reserve(text.size() + pad * 16);
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(pad, ' ');
  }
  return out;
}

}  // namespace

json to_gbench_json(const PeerContext& ctx, const std::vector<Measurement>& rows,
                    const std::string& time_unit) {
  const double unit_ns = ns_per_unit(time_unit);
  std::vector<json> benchmarks;
  int family = 0;
  for (const auto& m : rows) append_rows(benchmarks, ctx, m, family++, time_unit, unit_ns);
  return json{{"context", make_context(ctx)}, {"benchmarks", json(std::move(benchmarks))}};
}

GbenchJsonWriter::GbenchJsonWriter(std::ostream& out, const PeerContext& ctx,
                                   const std::string& time_unit)
    : out_(out), ctx_(ctx), time_unit_(time_unit), unit_ns_(ns_per_unit(time_unit)) {
  out_ << "{\n  \"context\": " << indented(make_context(ctx_).dump(2), 2)
       << ",\n  \"benchmarks\": [";
}

void GbenchJsonWriter::add(const Measurement& m) {
  std::vector<json> rows;
  append_rows(rows, ctx_, m, family_++, time_unit_, unit_ns_);
  for (const json& r : rows) {
    out_ << (any_ ? ",\n    " : "\n    ") << indented(r.dump(2), 4);
    any_ = true;
  }
}

void GbenchJsonWriter::finish() {
  out_ << (any_ ? "\n  ]\n}" : "]\n}");
}

}  // namespace bitnet::compare
