#include "bitnet/diff/verdicts.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace bitnet::diff {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kRegression:
      return "regression";
    case Verdict::kImprovement:
      return "improvement";
    case Verdict::kNoChange:
      return "no change";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kAdded:
      return "added";
    case Verdict::kRemoved:
      return "removed";
    case Verdict::kSkipped:
      return "skipped";
    case Verdict::kErrored:
      return "errored";
  }
  return "?";
}

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::kAuto:
      return "auto";
    case Direction::kLowerIsBetter:
      return "lower";
    case Direction::kHigherIsBetter:
      return "higher";
  }
  return "?";
}

Direction parse_direction(const std::string& text, const std::string& where) {
  if (text == "lower") return Direction::kLowerIsBetter;
  if (text == "higher") return Direction::kHigherIsBetter;
  if (text == "auto") return Direction::kAuto;
  throw InputError(where + ": expected \"lower\", \"higher\" or \"auto\", got \"" + text + "\"");
}

Direction infer_direction(const std::string& metric) {
  if (metric == "real_time" || metric == "cpu_time") return Direction::kLowerIsBetter;
  std::string m;
  for (char c : metric) m.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  auto has = [&](std::string_view s) { return m.find(s) != std::string::npos; };
  auto ends = [&](std::string_view s) {
    return m.size() >= s.size() && m.compare(m.size() - s.size(), s.size(), s) == 0;
  };
  if (ends("/s") || has("per_second") || has("per_s") || has("flops") || ends("ops") ||
      ends("_frac") || has("throughput") || has("bandwidth") || ends("_per_sec") || ends("tps"))
    return Direction::kHigherIsBetter;
  if (ends("_ns") || ends("_us") || ends("_ms") || has("latency") || has("time"))
    return Direction::kLowerIsBetter;
  return Direction::kAuto;
}

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const Rule* rule_for(const DiffOptions& opts, const std::string& family) {
  for (const FamilyRule& fr : opts.families)
    if (fnmatch(fr.pattern.c_str(), family.c_str(), 0) == 0) return &fr.rule;
  return nullptr;
}

// Samples of a metric: the repetitions, or else one aggregate value (median, then mean).
std::vector<double> samples_of(const BenchmarkSamples& b, const std::string& metric,
                               bool* aggregate) {
  *aggregate = false;
  if (auto it = b.samples.find(metric); it != b.samples.end() && !it->second.empty())
    return it->second;
  for (const char* agg : {"median", "mean"}) {
    auto a = b.aggregates.find(agg);
    if (a == b.aggregates.end()) continue;
    if (auto v = a->second.find(metric); v != a->second.end()) {
      *aggregate = true;
      return {v->second};
    }
  }
  return {};
}

std::string fmt_p(double p) {
  std::ostringstream os;
  os.precision(3);
  os << p;
  return os.str();
}

void compare_samples(BenchmarkDiff& d, const std::vector<double>& base,
                     const std::vector<double>& cont, UMethod method) {
  d.n_baseline = base.size();
  d.n_contender = cont.size();
  d.median_baseline = median(base);
  d.median_contender = median(cont);
  if (d.median_baseline == 0) {
    d.change = d.median_contender == 0 ? 0 : std::copysign(INFINITY, d.median_contender);
  } else {
    d.change = (d.median_contender - d.median_baseline) / std::fabs(d.median_baseline);
  }
  d.min_p = min_two_sided_p(base.size(), cont.size());
  if (base.size() >= 2 || cont.size() >= 2) {
    const UTestResult u = mann_whitney_u(base, cont, method);
    d.has_p = true;
    d.p_value = u.p_value;
    d.method = u.method;
  } else {
    d.notes.push_back("1 sample per side: no significance test possible");
  }
  if (d.min_p >= d.alpha) {
    d.notes.push_back(std::to_string(base.size()) + " vs " + std::to_string(cont.size()) +
                      " repetitions cannot reach p < " + fmt_p(d.alpha) + " (smallest p " +
                      fmt_p(d.min_p) + "); use >= " + std::to_string(repetitions_needed(d.alpha)) +
                      " repetitions per side");
  }
  // Interval for the relative change: on logs when every value is positive (a ratio), else on
  // the raw shift scaled by the baseline median.
  const bool positive = std::all_of(base.begin(), base.end(), [](double v) { return v > 0; }) &&
                        std::all_of(cont.begin(), cont.end(), [](double v) { return v > 0; });
  double lo = 0, hi = 0;
  if (positive) {
    std::vector<double> lb(base.size()), lc(cont.size());
    std::transform(base.begin(), base.end(), lb.begin(), [](double v) { return std::log(v); });
    std::transform(cont.begin(), cont.end(), lc.begin(), [](double v) { return std::log(v); });
    if (shift_confidence_interval(lb, lc, d.alpha, &lo, &hi)) {
      d.has_ci = true;
      d.ci_low = std::expm1(lo);
      d.ci_high = std::expm1(hi);
    }
  } else if (d.median_baseline != 0 && shift_confidence_interval(base, cont, d.alpha, &lo, &hi)) {
    d.has_ci = true;
    d.ci_low = lo / std::fabs(d.median_baseline);
    d.ci_high = hi / std::fabs(d.median_baseline);
  }
}

void decide(BenchmarkDiff& d) {
  const bool worse = d.direction == Direction::kHigherIsBetter ? d.change < 0 : d.change > 0;
  if (std::fabs(d.change) < d.min_change)
    d.verdict = Verdict::kNoChange;
  else if (d.has_p && d.p_value < d.alpha)
    d.verdict = worse ? Verdict::kRegression : Verdict::kImprovement;
  else
    d.verdict = Verdict::kInconclusive;
}

void summarize(const BenchmarkDiff& d, FamilySummary& s, bool time_equivalent) {
  switch (d.verdict) {
    case Verdict::kRegression:
      ++s.regressions;
      break;
    case Verdict::kImprovement:
      ++s.improvements;
      break;
    case Verdict::kInconclusive:
      ++s.inconclusive;
      break;
    case Verdict::kErrored:
      ++s.errors;
      break;
    default:
      break;
  }
  const bool has_change = d.verdict == Verdict::kRegression || d.verdict == Verdict::kImprovement ||
                          d.verdict == Verdict::kNoChange || d.verdict == Verdict::kInconclusive;
  if (!has_change || !(d.median_baseline > 0) || !(d.median_contender > 0)) return;
  double log_ratio = std::log(d.median_contender / d.median_baseline);
  if (time_equivalent && d.direction == Direction::kHigherIsBetter) log_ratio = -log_ratio;
  // Running geometric mean: geomean_ratio holds exp(mean of logs so far).
  const double n = static_cast<double>(s.compared);
  s.geomean_ratio = std::exp((std::log(s.geomean_ratio) * n + log_ratio) / (n + 1));
  ++s.compared;
  if (s.metric.empty())
    s.metric = d.metric;
  else if (s.metric != d.metric)
    s.metric = "mixed";
}

// Every metric name either result set reports (samples or aggregates).
std::set<std::string> metric_names(const ResultSet& s) {
  std::set<std::string> out;
  for (const auto& [name, b] : s.benchmarks) {
    for (const auto& [m, v] : b.samples) out.insert(m);
    for (const auto& [agg, metrics] : b.aggregates)
      for (const auto& [m, v] : metrics) out.insert(m);
  }
  return out;
}

void check_metrics_exist(const ResultSet& base, const ResultSet& cont, const DiffOptions& opts) {
  std::set<std::string> known = metric_names(base);
  for (const std::string& m : metric_names(cont)) known.insert(m);
  if (known.empty()) return;  // nothing measured at all: reported as "no benchmark to compare"
  std::vector<std::pair<std::string, std::string>> used = {{opts.metric, "--metric"}};
  for (const FamilyRule& f : opts.families)
    if (f.rule.metric) used.push_back({*f.rule.metric, "family rule \"" + f.pattern + "\""});
  for (const auto& [m, where] : used) {
    if (known.count(m)) continue;
    std::string list;
    for (const std::string& k : known) {
      if (!list.empty()) list += ", ";
      list += k;
    }
    throw InputError(where + ": metric \"" + m + "\" is in no benchmark of " + base.source +
                     " or " + cont.source + " (known: " + list + ")");
  }
}

BenchmarkDiff diff_one(const std::string& name, const BenchmarkSamples* base,
                       const BenchmarkSamples* cont, const DiffOptions& opts) {
  BenchmarkDiff d;
  d.name = name;
  d.family = family_of(name);
  d.alpha = opts.alpha;
  d.min_change = opts.min_change;
  d.metric = opts.metric;
  Direction dir = opts.direction;
  if (const Rule* r = rule_for(opts, d.family)) {
    d.alpha = r->alpha.value_or(d.alpha);
    d.min_change = r->min_change.value_or(d.min_change);
    if (r->metric) {
      d.metric = *r->metric;
      dir = Direction::kAuto;  // a family metric brings its own direction unless given
    }
    dir = r->direction.value_or(dir);
    d.ignored = r->ignore.value_or(false);
  }
  if (dir == Direction::kAuto) dir = infer_direction(d.metric);
  if (dir == Direction::kAuto)
    throw InputError("metric \"" + d.metric + "\" (benchmark " + name +
                     "): cannot tell whether higher or lower is better; pass --direction "
                     "higher|lower or set \"direction\" in the config");
  d.direction = dir;

  if (!base) {
    d.verdict = cont->errored   ? Verdict::kErrored
                : cont->skipped ? Verdict::kSkipped
                                : Verdict::kAdded;
    d.message = cont->message;
    return d;
  }
  if (!cont) {
    d.verdict = Verdict::kRemoved;
    return d;
  }
  if (cont->errored) {
    d.verdict = Verdict::kErrored;
    d.message = "contender: " + cont->message;
    return d;
  }
  if (cont->skipped || base->skipped) {
    d.verdict = Verdict::kSkipped;
    d.message = (cont->skipped ? "contender: " + cont->message : "baseline: " + base->message);
    return d;
  }
  if (base->errored) {
    // Nothing to compare against, but the contender works: report it like a new benchmark.
    d.verdict = Verdict::kAdded;
    d.message = "baseline errored: " + base->message;
    return d;
  }
  bool base_agg = false, cont_agg = false;
  const std::vector<double> bs = samples_of(*base, d.metric, &base_agg);
  const std::vector<double> cs = samples_of(*cont, d.metric, &cont_agg);
  if (bs.empty() || cs.empty()) {
    d.verdict = Verdict::kSkipped;
    d.message = "no \"" + d.metric + "\" values in the " +
                (bs.empty() && cs.empty() ? "baseline or contender"
                 : bs.empty()             ? "baseline"
                                          : "contender");
    return d;
  }
  if (base_agg || cont_agg)
    d.notes.push_back(std::string("only aggregates in the ") +
                      (base_agg && cont_agg ? "baseline and contender"
                       : base_agg           ? "baseline"
                                            : "contender") +
                      ": rerun with --benchmark_report_aggregates_only=false");
  compare_samples(d, bs, cs, opts.method);
  for (const auto& [agg, metrics] : base->aggregates)
    if (auto v = metrics.find(d.metric); v != metrics.end()) d.aggregates_baseline[agg] = v->second;
  for (const auto& [agg, metrics] : cont->aggregates)
    if (auto v = metrics.find(d.metric); v != metrics.end())
      d.aggregates_contender[agg] = v->second;
  decide(d);
  return d;
}

double number(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number()) throw InputError(where + ": expected a number, got " + v.dump());
  return v.get<double>();
}

Rule parse_rule(const nlohmann::json& j, const std::string& where, bool family) {
  if (!j.is_object()) throw InputError(where + ": expected an object");
  Rule r;
  for (const auto& [key, v] : j.items()) {
    const std::string w = where + "." + key;
    if (key == "alpha") {
      r.alpha = number(v, w);
      if (!(*r.alpha > 0 && *r.alpha < 1)) throw InputError(w + ": must be in (0, 1)");
    } else if (key == "min_change_pct") {
      r.min_change = number(v, w) / 100;
      if (!(*r.min_change >= 0)) throw InputError(w + ": must be >= 0");
    } else if (key == "metric") {
      if (!v.is_string() || v.get<std::string>().empty()) throw InputError(w + ": expected a name");
      r.metric = v.get<std::string>();
    } else if (key == "direction") {
      if (!v.is_string()) throw InputError(w + ": expected \"lower\" or \"higher\"");
      r.direction = parse_direction(v.get<std::string>(), w);
    } else if (key == "ignore" && family) {
      if (!v.is_boolean()) throw InputError(w + ": expected true or false");
      r.ignore = v.get<bool>();
    } else if (key == "families" && !family) {
      continue;  // handled by load_config
    } else if (key.starts_with("_") || key == "comment") {
      continue;  // comments
    } else {
      throw InputError(w + ": unknown key (expected alpha, min_change_pct, metric, direction" +
                       std::string(family ? ", ignore" : ", families") + ")");
    }
  }
  return r;
}

// Warnings about the conditions of the two runs, from their Google Benchmark context: a machine
// busier than it has CPUs (timings then include waiting for a CPU), and facts that should match
// between a baseline and a contender but do not.
void context_warnings(const ResultSet& base, const ResultSet& cont, std::vector<std::string>& out) {
  for (const ResultSet* s : {&base, &cont}) {
    const nlohmann::json& c = s->context;
    auto load = c.find("load_avg");
    auto cpus = c.find("num_cpus");
    if (load == c.end() || !load->is_array() || load->empty() || !(*load)[0].is_number() ||
        cpus == c.end() || !cpus->is_number())
      continue;
    const double l1 = (*load)[0].get<double>();
    const double n = cpus->get<double>();
    if (l1 > n)
      out.push_back(fmt_p(l1) + " load average on " + fmt_p(n) + " CPUs when " + s->source +
                    " started: the machine was oversubscribed, timings include waiting for a "
                    "CPU; rerun on a quiet machine before trusting a verdict");
  }
  for (const char* key : {"num_cpus", "bitnet_cpu_model", "bitnet_best_isa", "bitnet_build_type",
                          "bitnet_deterministic", "library_build_type"}) {
    auto a = base.context.find(key);
    auto b = cont.context.find(key);
    if (a != base.context.end() && b != cont.context.end() && *a != *b)
      out.push_back(std::string("the runs differ in ") + key + ": " + a->dump() + " vs " +
                    b->dump() + " (baseline vs contender)");
  }
}

}  // namespace

void load_config(const std::string& path, DiffOptions& opts) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open config file");
  nlohmann::json j;
  try {
    std::stringstream ss;
    ss << in.rdbuf();
    j = parse_json_bounded(ss.str(), path);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  const Rule global = parse_rule(j, path, false);
  if (global.alpha) opts.alpha = *global.alpha;
  if (global.min_change) opts.min_change = *global.min_change;
  if (global.metric) opts.metric = *global.metric;
  if (global.direction) opts.direction = *global.direction;
  if (auto f = j.find("families"); f != j.end()) {
    if (!f->is_object()) throw InputError(path + ": families: expected an object of glob -> rule");
    for (const auto& [pattern, rule] : f->items())
      opts.families.push_back({pattern, parse_rule(rule, path + ": families." + pattern, true)});
  }
}

std::size_t DiffReport::count(Verdict v) const {
  return static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(), [v](const BenchmarkDiff& d) { return d.verdict == v; }));
}

bool DiffReport::fails(const BenchmarkDiff& d) const {
  // A removed row is a failure by default: an empty or renamed contender must not pass.
  return !d.ignored &&
         (d.verdict == Verdict::kRegression || (errors_fail && d.verdict == Verdict::kErrored) ||
          (removed_fail && d.verdict == Verdict::kRemoved));
}

bool DiffReport::failed() const {
  return std::any_of(rows.begin(), rows.end(), [this](const BenchmarkDiff& d) { return fails(d); });
}

bool DiffReport::inconclusive() const {
  return !failed() && std::any_of(rows.begin(), rows.end(), [](const BenchmarkDiff& d) {
    return !d.ignored && d.verdict == Verdict::kInconclusive;
  });
}

std::string DiffReport::outcome() const {
  return failed() ? "FAIL" : inconclusive() ? "INCONCLUSIVE" : "PASS";
}

std::vector<std::string> DiffReport::regressions() const {
  std::vector<std::string> names;
  for (const BenchmarkDiff& d : rows)
    if (d.verdict == Verdict::kRegression && !d.ignored) names.push_back(d.name);
  return names;
}

DiffReport diff_results(const ResultSet& baseline, const ResultSet& contender,
                        const DiffOptions& opts) {
  check_metrics_exist(baseline, contender, opts);
  DiffReport rep;
  rep.baseline_source = baseline.source;
  rep.contender_source = contender.source;
  rep.baseline_files = baseline.files;
  rep.contender_files = contender.files;
  rep.errors_fail = opts.errors_fail;
  rep.fail_on_inconclusive = opts.fail_on_inconclusive;
  rep.removed_fail = opts.removed_fail;
  rep.alpha = opts.alpha;
  rep.min_change = opts.min_change;
  auto wanted = [&](const std::string& name) {
    return !opts.filter || std::regex_search(name, *opts.filter);
  };
  auto find = [](const ResultSet& s, const std::string& name) -> const BenchmarkSamples* {
    auto it = s.benchmarks.find(name);
    return it == s.benchmarks.end() ? nullptr : &it->second;
  };
  for (const std::string& name : contender.order)
    if (wanted(name))
      rep.rows.push_back(diff_one(name, find(baseline, name), find(contender, name), opts));
  for (const std::string& name : baseline.order)
    if (wanted(name) && !find(contender, name))
      rep.rows.push_back(diff_one(name, find(baseline, name), nullptr, opts));

  bool uniform = true;
  for (const BenchmarkDiff& d : rep.rows)
    uniform =
        uniform && d.metric == rep.rows.front().metric && d.direction == rep.rows.front().direction;
  rep.overall.family = "overall";
  for (const BenchmarkDiff& d : rep.rows) {
    auto it = std::find_if(rep.families.begin(), rep.families.end(),
                           [&](const FamilySummary& s) { return s.family == d.family; });
    if (it == rep.families.end()) {
      rep.families.push_back({});
      rep.families.back().family = d.family;
      it = rep.families.end() - 1;
    }
    summarize(d, *it, false);
    summarize(d, rep.overall, !uniform);
  }
  if (!uniform) rep.overall.metric = "time-equivalent";

  std::size_t low_n = 0;
  for (const BenchmarkDiff& d : rep.rows)
    low_n += d.n_baseline > 0 && d.n_contender > 0 && d.min_p >= d.alpha;
  if (low_n > 0)
    rep.warnings.push_back(std::to_string(low_n) +
                           " benchmark(s) have too few repetitions for any significant result at "
                           "alpha = " +
                           fmt_p(opts.alpha) + ": use --benchmark_repetitions >= " +
                           std::to_string(repetitions_needed(opts.alpha)));
  if (rep.rows.empty())
    rep.warnings.push_back("no benchmark to compare (check names and --filter)");
  context_warnings(baseline, contender, rep.warnings);
  return rep;
}

std::string filter_regex(const std::vector<std::string>& names) {
  // Google Benchmark 1.7.1 matches --benchmark_filter as a POSIX extended regex, where a lone
  // ']' or '}' is literal and escaping them is an error.
  std::string out = "^(";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += '|';
    for (char c : names[i]) {
      if (std::string_view("\\.[{()*+?^$|").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out + ")$";
}

}  // namespace bitnet::diff
