// Mann-Whitney U test against reference values from scipy.
//
// Source of every expected p-value below: scipy 1.10.1 (numpy 1.24.2, Debian 12 package
// python3-scipy, installed outside the repo), computed with
//   scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method=M)
// with M as named in each test ('exact' or 'asymptotic'; use_continuity=True is scipy's default).
// The null-distribution values come from scipy.stats._mannwhitneyu._mwu_state.cdf / .pmf.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "bitnet/diff/mann_whitney.h"

namespace bitnet::diff {
namespace {

struct ScipyCase {
  const char* name;
  std::vector<double> x, y;
  UMethod method;
  double u1;  // scipy's statistic (U of x)
  double p;   // scipy's pvalue
};

const std::vector<ScipyCase>& scipy_cases() {
  // Deterministic 20 / 25 values: x_i = 100 + ((37 i) mod 23) * 0.51, y_j = 101 + ((53 j) mod 29) *
  // 0.47.
  static const std::vector<double> large_x = [] {
    std::vector<double> v;
    for (int i = 0; i < 20; ++i) v.push_back(100 + ((i * 37) % 23) * 0.51);
    return v;
  }();
  static const std::vector<double> large_y = [] {
    std::vector<double> v;
    for (int j = 0; j < 25; ++j) v.push_back(101 + ((j * 53) % 29) * 0.47);
    return v;
  }();
  static const std::vector<ScipyCase> cases = {
      {"separated",
       {1.1, 2.3, 3.5, 4.0, 5.2},
       {6.1, 7.3, 8.2, 9.9},
       UMethod::kExact,
       0.0,
       0.015873015873015872},
      {"overlap",
       {10.2, 11.5, 9.8, 10.9, 12.1, 10.4},
       {10.0, 11.9, 12.5, 13.1, 11.2, 12.8, 13.5},
       UMethod::kExact,
       8.0,
       0.07342657342657342},
      {"nine_reps",
       {101.2, 99.8, 100.5, 102.3, 98.9, 100.1, 101.7, 99.5, 100.9},
       {103.1, 100.7, 104.2, 102.9, 101.4, 105.0, 103.8, 102.2, 99.9},
       UMethod::kExact,
       13.0,
       0.014191690662278898},
      {"overlap_asymptotic",
       {10.2, 11.5, 9.8, 10.9, 12.1, 10.4},
       {10.0, 11.9, 12.5, 13.1, 11.2, 12.8, 13.5},
       UMethod::kAsymptotic,
       8.0,
       0.07414553111140683},
      {"ties_asymptotic",
       {1, 2, 2, 3, 3, 3, 4},
       {2, 3, 4, 4, 5, 5, 6},
       UMethod::kAsymptotic,
       8.5,
       0.043051432728945134},
      {"three_vs_three", {1, 2, 3}, {4, 5, 6}, UMethod::kExact, 0.0, 0.1},
      // Exact forced on tied data: scipy evaluates P(U >= floor(max(U1, U2))).
      {"ties_exact",
       {1, 2, 2, 3, 3, 3, 4},
       {2, 3, 4, 4, 5, 5, 6},
       UMethod::kExact,
       8.5,
       0.05303030303030303},
      {"large_asymptotic", large_x, large_y, UMethod::kAsymptotic, 179.0, 0.10732507423028931},
      {"large_exact", large_x, large_y, UMethod::kExact, 179.0, 0.10783095657257843},
  };
  return cases;
}

TEST(DiffMannWhitney, MatchesScipy) {
  for (const ScipyCase& c : scipy_cases()) {
    SCOPED_TRACE(c.name);
    const UTestResult r = mann_whitney_u(c.x, c.y, c.method);
    EXPECT_EQ(r.method, c.method);
    EXPECT_DOUBLE_EQ(r.u1, c.u1);
    EXPECT_NEAR(r.p_value, c.p, 1e-12 + 1e-9 * c.p);
  }
}

TEST(DiffMannWhitney, SymmetricInSampleOrder) {
  for (const ScipyCase& c : scipy_cases()) {
    SCOPED_TRACE(c.name);
    const UTestResult a = mann_whitney_u(c.x, c.y, c.method);
    const UTestResult b = mann_whitney_u(c.y, c.x, c.method);
    EXPECT_NEAR(a.p_value, b.p_value, 1e-12);
    EXPECT_DOUBLE_EQ(a.u1 + b.u1, static_cast<double>(c.x.size() * c.y.size()));
  }
}

TEST(DiffMannWhitney, AutoPicksExactWithoutTiesAndAsymptoticWithTies) {
  const auto& cases = scipy_cases();
  EXPECT_EQ(mann_whitney_u(cases[2].x, cases[2].y).method, UMethod::kExact);
  const UTestResult tied = mann_whitney_u(cases[4].x, cases[4].y);
  EXPECT_TRUE(tied.ties);
  EXPECT_EQ(tied.method, UMethod::kAsymptotic);
}

TEST(DiffMannWhitney, AllValuesEqualGivesPOne) {
  const std::vector<double> x(5, 3.0), y(6, 3.0);
  EXPECT_EQ(mann_whitney_u(x, y).p_value, 1.0);
}

TEST(DiffMannWhitney, EmptySampleThrows) {
  const std::vector<double> x, y = {1, 2};
  EXPECT_THROW(mann_whitney_u(x, y), std::invalid_argument);
}

TEST(DiffMannWhitney, NullDistributionMatchesScipy) {
  // scipy _mwu_state.pmf(k, 3, 3) for k = 0..9.
  const std::vector<double> expected = {0.05, 0.05, 0.1, 0.15, 0.15, 0.15, 0.15, 0.1, 0.05, 0.05};
  const std::vector<double> pmf = u_null_distribution(3, 3);
  ASSERT_EQ(pmf.size(), expected.size());
  for (std::size_t k = 0; k < pmf.size(); ++k) EXPECT_NEAR(pmf[k], expected[k], 1e-15) << k;
  // scipy _mwu_state.cdf(17, 9, 9) and cdf(18, 9, 9): the 5 % two-sided critical value is 17.
  const std::vector<double> p99 = u_null_distribution(9, 9);
  const double cdf17 = std::accumulate(p99.begin(), p99.begin() + 18, 0.0);
  EXPECT_NEAR(cdf17, 0.019991772932949403, 1e-14);
  EXPECT_NEAR(cdf17 + p99[18], 0.025154257507198685, 1e-14);
  const std::vector<double> big = u_null_distribution(50, 40);
  EXPECT_NEAR(std::accumulate(big.begin(), big.end(), 0.0), 1.0, 1e-12);
}

TEST(DiffMannWhitney, SmallestReachablePValue) {
  EXPECT_DOUBLE_EQ(min_two_sided_p(3, 3), 0.1);         // 2 / C(6,3)
  EXPECT_NEAR(min_two_sided_p(4, 4), 2.0 / 70, 1e-15);  // 2 / C(8,4)
  EXPECT_DOUBLE_EQ(min_two_sided_p(1, 1), 1.0);
  EXPECT_EQ(repetitions_needed(0.05), 4u);
  EXPECT_EQ(repetitions_needed(0.01), 5u);  // 2 / C(10,5) = 0.0079
}

TEST(DiffMannWhitney, ShiftIntervalUsesExactCriticalValue) {
  // m = n = 9 at alpha 0.05: critical U is 17, so the interval is [D(18), D(64)] of the 81
  // sorted differences y_j - x_i. With x = 0..8 and y = x + 100 the differences are 92..108.
  std::vector<double> x(9), y(9);
  std::iota(x.begin(), x.end(), 0.0);
  for (int i = 0; i < 9; ++i) y[i] = x[i] + 100;
  std::vector<double> d;
  for (double a : x)
    for (double b : y) d.push_back(b - a);
  std::sort(d.begin(), d.end());
  double lo = 0, hi = 0;
  ASSERT_TRUE(shift_confidence_interval(x, y, 0.05, &lo, &hi));
  EXPECT_EQ(lo, d[17]);
  EXPECT_EQ(hi, d[63]);
  EXPECT_LT(lo, 100);
  EXPECT_GT(hi, 100);
}

TEST(DiffMannWhitney, ShiftIntervalNeedsEnoughSamples) {
  const std::vector<double> x = {1, 2, 3}, y = {4, 5, 6};
  double lo = 0, hi = 0;
  EXPECT_FALSE(shift_confidence_interval(x, y, 0.05, &lo, &hi));  // min p 0.1 > 0.05
  const std::vector<double> x4 = {1, 2, 3, 4}, y4 = {11, 12, 13, 14};
  ASSERT_TRUE(shift_confidence_interval(x4, y4, 0.05, &lo, &hi));
  EXPECT_EQ(lo, 7);   // smallest difference: 11 - 4
  EXPECT_EQ(hi, 13);  // largest: 14 - 1
}

TEST(DiffMannWhitney, ShiftIntervalAsymptoticCoversTrueShift) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) x.push_back(std::sin(i * 1.7) * 5);
  for (int j = 0; j < 70; ++j) y.push_back(std::cos(j * 2.3) * 5 + 20);
  double lo = 0, hi = 0;
  ASSERT_TRUE(shift_confidence_interval(x, y, 0.05, &lo, &hi));
  EXPECT_LT(lo, 20);
  EXPECT_GT(hi, 20);
  EXPECT_LT(hi - lo, 6);
}

}  // namespace
}  // namespace bitnet::diff
