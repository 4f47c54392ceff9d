#include "bitnet/report/run_data.h"

#include <algorithm>

namespace bitnet::report {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string short_impl(const std::string& impl) {
  const std::size_t sep = impl.find("__");
  if (sep == std::string::npos) return impl;
  const std::string isa = impl.substr(sep + 2);
  const std::size_t tile_start = impl.rfind('_', sep - 1);
  const std::string tile =
      tile_start == std::string::npos ? "" : impl.substr(tile_start + 1, sep - tile_start - 1);
  // Tiles say something only for matmul (1x1 is every dequant / quant_act kernel).
  return tile.empty() || tile == "1x1" ? isa : isa + " " + tile;
}

bool is_scalar_impl(const std::string& impl) {
  return impl == "scalar" || impl.ends_with("__scalar");
}

std::optional<double> Row::get(const std::string& metric) const {
  auto it = median.find(metric);
  if (it == median.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> Row::arg(std::string_view key) const {
  if (!parsed) return std::nullopt;
  return parsed->int_arg(key);
}

std::string Row::label_at(std::size_t i) const {
  if (!parsed || i >= parsed->labels.size()) return "";
  return parsed->labels[i];
}

const Row* RunData::find(const std::string& name) const {
  for (const Row& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

std::string RunData::date() const {
  return context.is_object() ? context.value("date", std::string()) : std::string();
}

namespace {

// "peer/<peer>/<suite name>": bitnet-compare's rows for a reference implementation.
std::pair<std::string, std::string> split_peer(const std::string& name) {
  if (!name.starts_with("peer/")) return {"", name};
  const std::size_t slash = name.find('/', 5);
  if (slash == std::string::npos) return {"", name};
  return {name.substr(5, slash - 5), name.substr(slash + 1)};
}

// The grammar's segments without its per-family checks: peer rows lack some keys (llama-bench's
// decode has no context position), and the report still wants their family, labels and threads.
bench::CaseName lenient_parse(const std::string& name) {
  bench::CaseName c;
  std::size_t start = 0;
  bool first = true;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    const std::string seg = name.substr(start, end - start);
    const std::size_t colon = seg.find(':');
    if (first)
      c.family = seg;
    else if (seg == "hot" || seg == "cold")
      c.residency = seg;
    else if (seg.starts_with("real_time"))
      c.time_type = "real_time";
    else if (colon != std::string::npos)
      c.args.emplace_back(seg.substr(0, colon), seg.substr(colon + 1));
    else if (!seg.empty())
      c.labels.push_back(seg);
    first = false;
    start = end + 1;
  }
  return c;
}

}  // namespace

RunData make_run(diff::ResultSet set) {
  RunData run;
  run.source = set.source;
  run.context = set.context;
  for (const std::string& name : set.order) {
    const diff::BenchmarkSamples& b = set.benchmarks.at(name);
    Row row;
    row.name = name;
    row.label = b.label;
    row.errored = b.errored;
    row.skipped = b.skipped;
    row.message = b.message;
    auto [peer, suite_name] = split_peer(name);
    row.peer = peer;
    bench::ParsedName p = bench::parse_case_name(suite_name);
    row.parsed = p.name ? std::move(*p.name) : lenient_parse(suite_name);
    for (const auto& [metric, values] : b.samples) {
      if (values.empty()) continue;
      row.median[metric] = median_of(values);
      row.low[metric] = *std::min_element(values.begin(), values.end());
      row.high[metric] = *std::max_element(values.begin(), values.end());
      row.repetitions = std::max(row.repetitions, values.size());
    }
    // Files with aggregates only (e.g. llama-bench md/csv converted): their median, else mean.
    if (row.median.empty() && !b.errored && !b.skipped)
      for (const char* agg : {"median", "mean"})
        if (auto it = b.aggregates.find(agg); it != b.aggregates.end()) {
          row.median = it->second;
          row.repetitions = 1;
          break;
        }
    run.rows.push_back(std::move(row));
  }
  run.results = std::move(set);
  return run;
}

RunData load_run(const std::filesystem::path& path) {
  return make_run(diff::load_results(path, 1));
}

}  // namespace bitnet::report
