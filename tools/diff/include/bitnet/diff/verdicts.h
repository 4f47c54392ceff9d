// Pairs two result sets benchmark by benchmark and decides a verdict for each: the median change
// of a metric, a Mann-Whitney U test on the repetitions, and the rule "flag only when p < alpha
// AND |change| >= min_change" (both configurable, per family).
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "bitnet/diff/mann_whitney.h"
#include "bitnet/results/results.h"

namespace bitnet::diff {

enum class Direction { kAuto, kLowerIsBetter, kHigherIsBetter };

enum class Verdict {
  kRegression,
  kImprovement,
  kNoChange,
  kInconclusive,  // a change at least min_change that the samples cannot confirm (p >= alpha)
  kAdded,         // only in the contender
  kRemoved,       // only in the baseline
  kSkipped,       // skipped on either side (e.g. ISA not available)
  kErrored,       // error_occurred on either side, or the metric is missing
};

std::string_view to_string(Verdict v);
std::string_view to_string(Direction d);

// Settings that can differ per family. Unset fields fall back to the global rule.
struct Rule {
  std::optional<double> alpha;        // significance level of the two-sided U test
  std::optional<double> min_change;   // relative, 0.05 = 5 %
  std::optional<std::string> metric;  // real_time, cpu_time or a user counter
  std::optional<Direction> direction;
  std::optional<bool> ignore;  // leave the family out of the verdict (still listed)
};

struct FamilyRule {
  std::string pattern;  // glob on the family name (* and ?), e.g. "decode*"
  Rule rule;
};

struct DiffOptions {
  double alpha = 0.05;
  double min_change = 0.05;
  std::string metric = "real_time";
  Direction direction = Direction::kAuto;
  UMethod method = UMethod::kAuto;
  std::vector<FamilyRule> families;   // first matching pattern wins
  std::optional<std::regex> filter;   // only benchmarks whose name matches (regex_search)
  bool errors_fail = true;            // an errored contender row counts as a failure
  bool fail_on_inconclusive = false;  // an inconclusive row fails the run (exit 3)
  bool removed_fail = true;           // a baseline row missing from the contender is a failure
};

// Reads a config file (JSON) into `opts`: {"alpha":..,"min_change_pct":..,"metric":..,
// "direction":"lower|higher","families":{"<glob>":{same keys + "ignore":true}}}.
void load_config(const std::string& path, DiffOptions& opts);

// Parses "lower"/"higher"/"auto"; throws InputError naming `where` otherwise.
Direction parse_direction(const std::string& text, const std::string& where);

// Direction for a metric: times are lower-is-better; counters whose name says "per second"
// (".../s", "_per_second", "per_s", "flops", "...ops" as in GOPS, "throughput", "bandwidth") and
// fractions of a machine limit ("..._frac", e.g. bitnet_benches' bw_frac / peak_frac) are
// higher-is-better.
// Other counters have no known direction: returns kAuto, and the caller must ask for one.
Direction infer_direction(const std::string& metric);

struct BenchmarkDiff {
  std::string name;
  std::string family;
  std::string metric;
  Direction direction = Direction::kLowerIsBetter;
  Verdict verdict = Verdict::kNoChange;
  bool ignored = false;  // family rule says ignore: never fails the run
  std::size_t n_baseline = 0, n_contender = 0;
  double median_baseline = 0, median_contender = 0;
  double change = 0;  // (median_contender - median_baseline) / median_baseline
  bool has_ci = false;
  double ci_low = 0, ci_high = 0;  // relative change interval, same scale as `change`
  bool has_p = false;
  double p_value = 1;
  UMethod method = UMethod::kAuto;
  double min_p = 0;  // smallest p reachable with these sample sizes
  double alpha = 0.05, min_change = 0.05;
  std::string message;  // error / skip message
  // The metric's Google Benchmark aggregates on each side (mean, median, stddev, cv, ...), paired
  // by aggregate name; empty when a side reported none.
  std::map<std::string, double> aggregates_baseline, aggregates_contender;
  std::vector<std::string> notes;  // warnings about this comparison
};

struct FamilySummary {
  std::string family;
  std::string metric;        // the metric of the family, or "mixed"
  std::size_t compared = 0;  // benchmarks with a change
  double geomean_ratio = 1;  // geometric mean of median_contender / median_baseline
  std::size_t regressions = 0, improvements = 0, inconclusive = 0, errors = 0;
};

struct DiffReport {
  std::string baseline_source, contender_source;
  std::vector<std::string> baseline_files, contender_files;
  std::vector<BenchmarkDiff> rows;      // contender order, then removed rows
  std::vector<FamilySummary> families;  // first-seen order
  FamilySummary overall;                // geomean over all compared rows (time-equivalent
                                        // ratio when metrics or directions are mixed)
  std::vector<std::string> warnings;
  std::size_t count(Verdict v) const;
  // A regression, an error when errors fail, a removed row when removals fail.
  bool fails(const BenchmarkDiff& row) const;
  bool failed() const;  // any row fails
  // No row fails but a row (not ignored) changed by at least its threshold without significance:
  // the samples can neither confirm nor rule out a regression.
  bool inconclusive() const;
  // "FAIL", "INCONCLUSIVE" or "PASS" (the overall verdict every report prints).
  std::string outcome() const;
  std::vector<std::string> regressions() const;  // names of the regressions that count
  bool errors_fail = true;
  bool fail_on_inconclusive = false;
  bool removed_fail = true;
  double alpha = 0.05, min_change = 0.05;  // the global rule (families may override)
};

// Throws InputError when a metric the comparison uses (--metric, or a family rule's) appears in
// no benchmark of either result set: a misspelt metric would otherwise skip every row and pass.
DiffReport diff_results(const ResultSet& baseline, const ResultSet& contender,
                        const DiffOptions& opts);

// A Google Benchmark --benchmark_filter regex matching exactly the given benchmark names.
std::string filter_regex(const std::vector<std::string>& names);

}  // namespace bitnet::diff
