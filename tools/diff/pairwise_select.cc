#include "bitnet/diff/pairwise_select.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace bitnet::diff {

double kth_pairwise_difference(std::span<const double> x, std::span<const double> y,
                               std::size_t k) {
  const std::size_t m = x.size(), n = y.size();
  if (m == 0 || n == 0 || k / n >= m)
    throw std::out_of_range("kth_pairwise_difference: k outside the m*n differences");
  // Row j holds y_j - xs[i] for the x values in descending order, so every row is ascending in i
  // and (with y ascending) every column is ascending in j.
  std::vector<double> ys(y.begin(), y.end()), xs(x.begin(), x.end());
  std::sort(ys.begin(), ys.end());
  std::sort(xs.begin(), xs.end(), [](double a, double b) { return a > b; });
  auto at = [&](std::size_t j, std::size_t i) { return ys[j] - xs[i]; };

  // Candidates: columns [lo[j], hi[j]) of row j. The k-th value is always among them.
  std::vector<std::size_t> lo(n, 0), hi(n, m), below(n), upto(n);
  std::mt19937_64 rng(0x5eed);
  for (;;) {
    uint64_t remaining = 0;
    for (std::size_t j = 0; j < n; ++j) remaining += hi[j] - lo[j];
    // Pivot: a candidate drawn uniformly, so each round discards a constant fraction on average.
    uint64_t r = std::uniform_int_distribution<uint64_t>(0, remaining - 1)(rng);
    std::size_t pj = 0;
    while (r >= hi[pj] - lo[pj]) r -= hi[pj] - lo[pj], ++pj;
    const double pivot = at(pj, lo[pj] + static_cast<std::size_t>(r));

    // below[j] = #{i : at(j,i) < pivot}, upto[j] = #{i : at(j,i) <= pivot}. Both fall as j
    // rises (columns ascend), so one sweep from the right end finds them all.
    uint64_t n_below = 0, n_upto = 0;
    std::size_t b = m, u = m;
    for (std::size_t j = 0; j < n; ++j) {
      while (b > 0 && !(at(j, b - 1) < pivot)) --b;
      while (u > 0 && at(j, u - 1) > pivot) --u;
      below[j] = b;
      upto[j] = u;
      n_below += b;
      n_upto += u;
    }
    if (k < n_below) {
      for (std::size_t j = 0; j < n; ++j) hi[j] = std::min(hi[j], below[j]);
    } else if (k >= n_upto) {
      for (std::size_t j = 0; j < n; ++j) lo[j] = std::max(lo[j], upto[j]);
    } else {
      return pivot;  // n_below <= k < n_upto: the k-th value equals the pivot
    }
  }
}

}  // namespace bitnet::diff
