#include "bitnet/diff/mann_whitney.h"

#include "bitnet/diff/pairwise_select.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace bitnet::diff {

std::string_view to_string(UMethod m) {
  switch (m) {
    case UMethod::kAuto:
      return "auto";
    case UMethod::kExact:
      return "exact";
    case UMethod::kAsymptotic:
      return "asymptotic";
  }
  return "?";
}

namespace {

// Standard normal upper tail.
double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// Inverse of normal_sf by bisection: precise to ~1e-12, and only called a few times per report.
double normal_isf(double p) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    double mid = 0.5 * (lo + hi);
    (normal_sf(mid) > p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

struct Ranked {
  double r1 = 0;        // rank sum of the first sample (average ranks for ties)
  double tie_term = 0;  // sum over tie groups of t^3 - t
  bool ties = false;
};

Ranked rank_first_sample(std::span<const double> x, std::span<const double> y) {
  struct Item {
    double v;
    bool first;
  };
  std::vector<Item> all;
  all.reserve(x.size() + y.size());
  for (double v : x) all.push_back({v, true});
  for (double v : y) all.push_back({v, false});
  std::sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.v < b.v; });
  Ranked r;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].v == all[i].v) ++j;
    const double t = static_cast<double>(j - i);
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (all[k].first) r.r1 += avg_rank;
    if (t > 1) {
      r.ties = true;
      r.tie_term += t * t * t - t;
    }
    i = j;
  }
  return r;
}

}  // namespace

std::vector<double> u_null_distribution(std::size_t m, std::size_t n) {
  // p(i, j, k): probability that U = k for sample sizes i, j. The largest of the i + j values
  // belongs to the first sample with probability i/(i+j) and then beats all j values of the
  // second: p(i,j,k) = i/(i+j) p(i-1,j,k-j) + j/(i+j) p(i,j-1,k). Two rolling rows over i.
  std::vector<std::vector<double>> prev(n + 1), cur(n + 1);
  for (std::size_t j = 0; j <= n; ++j) prev[j] = {1.0};  // i = 0: U is always 0
  for (std::size_t i = 1; i <= m; ++i) {
    cur[0] = {1.0};
    for (std::size_t j = 1; j <= n; ++j) {
      std::vector<double>& out = cur[j];
      out.assign(i * j + 1, 0.0);
      const double a = static_cast<double>(i) / static_cast<double>(i + j);
      const double b = static_cast<double>(j) / static_cast<double>(i + j);
      for (std::size_t k = 0; k < prev[j].size(); ++k) out[k + j] += a * prev[j][k];
      for (std::size_t k = 0; k < cur[j - 1].size(); ++k) out[k] += b * cur[j - 1][k];
    }
    std::swap(prev, cur);
  }
  return prev[n];
}

UTestResult mann_whitney_u(std::span<const double> x, std::span<const double> y, UMethod method) {
  if (x.empty() || y.empty()) throw std::invalid_argument("mann_whitney_u: empty sample");
  const std::size_t m = x.size(), n = y.size();
  const double md = static_cast<double>(m), nd = static_cast<double>(n);
  const Ranked r = rank_first_sample(x, y);
  UTestResult res;
  res.ties = r.ties;
  res.u1 = r.r1 - md * (md + 1) / 2;
  const double u2 = md * nd - res.u1;
  const double u = std::max(res.u1, u2);
  if (method == UMethod::kAuto)
    method =
        (!r.ties && m <= kExactMaxN && n <= kExactMaxN) ? UMethod::kExact : UMethod::kAsymptotic;
  res.method = method;
  if (method == UMethod::kExact && (m > kExactLimitN || n > kExactLimitN))
    throw std::invalid_argument("the exact U distribution is computed only up to " +
                                std::to_string(kExactLimitN) + " values per side (got " +
                                std::to_string(m) + " and " + std::to_string(n) +
                                "): use --method auto or asymptotic");
  if (method == UMethod::kExact) {
    // scipy: p = 2 * P(U >= max(U1, U2)), clipped to 1. U is an integer without ties; with ties
    // (exact forced) scipy truncates U to an integer, which errs on the conservative side.
    const std::vector<double> pmf = u_null_distribution(m, n);
    const auto k0 = static_cast<std::size_t>(std::floor(u));
    double sf = 0;
    for (std::size_t k = k0; k < pmf.size(); ++k) sf += pmf[k];
    res.p_value = std::min(1.0, 2 * sf);
  } else {
    const double big_n = md + nd;
    const double mu = md * nd / 2;
    const double var = md * nd / 12 * ((big_n + 1) - r.tie_term / (big_n * (big_n - 1)));
    if (!(var > 0)) {
      res.p_value = 1;  // every value equal: no evidence of any difference
    } else {
      const double z = (u - mu - 0.5) / std::sqrt(var);  // continuity correction, as scipy
      res.p_value = std::min(1.0, 2 * normal_sf(z));
    }
  }
  return res;
}

double min_two_sided_p(std::size_t m, std::size_t n) {
  // 2 / C(m+n, m), by the exact product (each partial product is itself a binomial coefficient,
  // so it stays an integer in double up to 2^53); it overflows to inf only for huge samples.
  const std::size_t k = std::min(m, n);
  double c = 1;
  for (std::size_t i = 1; i <= k; ++i)
    c = c * static_cast<double>(m + n - k + i) / static_cast<double>(i);
  return std::min(1.0, 2 / c);
}

std::size_t repetitions_needed(double alpha) {
  std::size_t n = 1;
  while (min_two_sided_p(n, n) >= alpha && n < 1000) ++n;
  return n;
}

bool shift_confidence_interval(std::span<const double> x, std::span<const double> y, double alpha,
                               double* low, double* high) {
  const std::size_t m = x.size(), n = y.size();
  if (m == 0 || n == 0) return false;
  const std::size_t mn = m * n;
  // k: 1-based index of the lower bound among the sorted differences. With c the largest U
  // value whose lower tail P(U <= c) stays within alpha/2, the interval [D(c+1), D(mn-c)] has
  // coverage >= 1 - alpha.
  long long c = -1;
  if (m <= kExactMaxN && n <= kExactMaxN) {
    const std::vector<double> pmf = u_null_distribution(m, n);
    double cdf = 0;
    for (std::size_t k = 0; k < pmf.size(); ++k) {
      cdf += pmf[k];
      if (cdf > alpha / 2 * (1 + 1e-12)) break;
      c = static_cast<long long>(k);
    }
  } else {
    const double z = normal_isf(alpha / 2);
    const double md = static_cast<double>(m), nd = static_cast<double>(n);
    c = static_cast<long long>(
            std::floor(md * nd / 2 - z * std::sqrt(md * nd * (md + nd + 1) / 12))) -
        1;
  }
  if (c < 0 || static_cast<std::size_t>(c) >= mn / 2) return false;
  const auto k_lo = static_cast<std::size_t>(c);                  // 0-based index of D(c+1)
  const std::size_t k_hi = mn - 1 - static_cast<std::size_t>(c);  // 0-based index of D(mn-c)
  *low = kth_pairwise_difference(x, y, k_lo);
  *high = kth_pairwise_difference(x, y, k_hi);
  return true;
}

}  // namespace bitnet::diff
