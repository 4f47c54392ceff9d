// Two-sided Mann-Whitney U test and the matching distribution-free confidence interval for a
// location shift (Hodges-Lehmann / Moses). Conventions follow scipy.stats.mannwhitneyu so the
// unit tests can pin our numbers to scipy's.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace bitnet::diff {

enum class UMethod {
  kAuto,        // exact when there are no ties and both samples are small, else asymptotic
  kExact,       // exact null distribution (assumes no ties, like scipy's method='exact')
  kAsymptotic,  // normal approximation with tie correction and continuity correction
};

std::string_view to_string(UMethod m);

struct UTestResult {
  double u1 = 0;                    // U statistic of the first sample: #(x > y) + 0.5 * #(x == y)
  double p_value = 1;               // two-sided
  UMethod method = UMethod::kAuto;  // the method actually used (never kAuto)
  bool ties = false;                // any value shared between or within the samples
};

// Largest sample size for which kAuto picks the exact distribution (when there are no ties).
inline constexpr std::size_t kExactMaxN = 50;
// Largest sample size for which kExact is accepted at all: its cost is O(m^2 n^2) time and
// O(m n^2) memory (100 per side: ~10^8 steps, 8 MB); beyond, the normal approximation is exact
// to far better than any benchmark's noise.
inline constexpr std::size_t kExactLimitN = 100;

// Two-sided test of x against y. Both samples must be non-empty (throws std::invalid_argument).
UTestResult mann_whitney_u(std::span<const double> x, std::span<const double> y,
                           UMethod method = UMethod::kAuto);

// P(U = k) for k = 0..m*n under the null hypothesis, no ties.
std::vector<double> u_null_distribution(std::size_t m, std::size_t n);

// Smallest two-sided p-value any pair of samples of these sizes can reach: 2 / C(m+n, m).
// When it is >= alpha, no outcome can be significant: more repetitions are needed.
double min_two_sided_p(std::size_t m, std::size_t n);

// Smallest equal per-side repetition count whose min_two_sided_p is below alpha.
std::size_t repetitions_needed(double alpha);

// Confidence interval (level 1 - alpha) for the shift d in y = x + d, from the sorted pairwise
// differences y_j - x_i (Moses' method, exact critical value for small samples), selected in
// O(m + n) memory (pairwise_select.h). Returns false
// when the samples are too small for an interval at this level.
bool shift_confidence_interval(std::span<const double> x, std::span<const double> y, double alpha,
                               double* low, double* high);

}  // namespace bitnet::diff
