#include "bitnet/report/history_model.h"

#include <algorithm>
#include <functional>
#include <map>

#include "bitnet/diff/verdicts.h"

namespace bitnet::report {

namespace fs = std::filesystem;

std::vector<RunData> load_history(const fs::path& dir, const std::string& machine_key) {
  auto json_files = [](const fs::path& d) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    return files;
  };
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw diff::InputError(dir.string() + ": not a directory");
  std::vector<fs::path> files = json_files(dir);
  // The store's root (one folder per machine key): this machine's folder.
  if (files.empty() && !machine_key.empty() && fs::is_directory(dir / machine_key, ec))
    files = json_files(dir / machine_key);
  if (files.empty())
    throw diff::InputError(
        dir.string() + ": no *.json result file" +
        (machine_key.empty() ? std::string() : " (nor in its subfolder " + machine_key + ")"));
  std::vector<RunData> runs;
  for (const fs::path& f : files) runs.push_back(load_run(f));
  std::sort(runs.begin(), runs.end(), [](const RunData& a, const RunData& b) {
    return std::pair(a.date(), a.source) < std::pair(b.date(), b.source);
  });
  return runs;
}

namespace {

// bench-diff's verdict for one benchmark: run `i` against the pooled `depth` runs before it.
diff::BenchmarkDiff verdict_at(const std::vector<RunData>& runs, std::size_t i,
                               const std::string& name, const std::string& metric,
                               const HistoryOptions& opts) {
  diff::ResultSet base, cont;
  base.source = "history";
  cont.source = runs[i].source;
  const std::size_t first = i > opts.depth ? i - opts.depth : 0;
  diff::BenchmarkSamples pooled;
  pooled.name = name;
  pooled.family = diff::family_of(name);
  for (std::size_t j = first; j < i; ++j) {
    auto it = runs[j].results.benchmarks.find(name);
    if (it == runs[j].results.benchmarks.end()) continue;
    auto s = it->second.samples.find(metric);
    if (s == it->second.samples.end()) continue;
    auto& v = pooled.samples[metric];
    v.insert(v.end(), s->second.begin(), s->second.end());
    ++pooled.runs;
  }
  base.order = cont.order = {name};
  base.benchmarks[name] = pooled;
  cont.benchmarks[name] = runs[i].results.benchmarks.at(name);
  diff::DiffOptions o;
  o.metric = metric;
  o.alpha = opts.alpha;
  o.min_change = opts.min_change;
  diff::DiffReport r = diff::diff_results(base, cont, o);
  return r.rows.front();
}

HistoryChart chart_of(const std::vector<RunData>& runs, const HistoryOptions& opts,
                      const std::string& title, const std::string& metric, const std::string& unit,
                      double scale, const std::function<bool(const Row&)>& wanted) {
  HistoryChart c;
  c.title = title;
  c.metric = metric;
  c.unit = unit;
  c.scale = scale;
  for (const RunData& r : runs) c.runs.push_back(r.date().empty() ? r.source : r.date());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (const Row& row : runs[i].rows) {
      if (!row.parsed || !row.peer.empty() || !wanted(row)) continue;
      auto v = row.get(metric);
      if (!v) continue;
      auto [it, inserted] = index.try_emplace(row.name, c.series.size());
      if (inserted) c.series.push_back({row.name, {}});
      HistoryPoint p;
      p.run = i;
      p.value = *v / scale;
      if (i > 0) {
        const diff::BenchmarkDiff d = verdict_at(runs, i, row.name, metric, opts);
        p.regression = d.verdict == diff::Verdict::kRegression;
        p.change = d.change;
      }
      c.series[it->second].points.push_back(p);
    }
  return c;
}

}  // namespace

std::vector<HistoryChart> history_charts(const std::vector<RunData>& runs,
                                         const HistoryOptions& opts) {
  int threads = opts.threads;
  if (threads == 0)
    for (const RunData& r : runs)
      for (const Row& row : r.rows)
        if (row.parsed && row.parsed->family == "gemv")
          threads = std::max(threads, static_cast<int>(row.arg("threads").value_or(0)));
  std::vector<HistoryChart> out;
  out.push_back(chart_of(
      runs, opts, "Decode / prefill throughput", "tokens_per_second", "tokens/s", 1,
      [](const Row& r) { return r.parsed->family == "decode" || r.parsed->family == "prefill"; }));
  out.push_back(chart_of(runs, opts,
                         "GEMV time (dispatch, " + std::to_string(threads) + " threads)",
                         "real_time", "us", 1e3, [threads](const Row& r) {
                           return r.parsed->family == "gemv" && r.label_at(1) == "dispatch" &&
                                  r.arg("threads").value_or(0) == threads;
                         }));
  return out;
}

}  // namespace bitnet::report
