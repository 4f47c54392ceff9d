// kth_pairwise_difference against the full sort it replaces: every k, samples with ties,
// duplicates and negative values; and a size whose m*n differences could not be stored.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "bitnet/diff/mann_whitney.h"
#include "bitnet/diff/pairwise_select.h"

namespace bitnet::diff {
namespace {

TEST(PairwiseSelect, MatchesTheFullSortForEveryK) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t m = 1 + rng() % 13, n = 1 + rng() % 13;
    const int levels = 1 + static_cast<int>(rng() % 6);  // few levels: many ties
    std::vector<double> x(m), y(n);
    for (double& v : x) v = static_cast<double>(static_cast<int>(rng() % levels)) * 0.5 - 1;
    for (double& v : y) v = static_cast<double>(static_cast<int>(rng() % levels)) * 0.25 + 0.1;
    std::vector<double> all;
    for (double xi : x)
      for (double yj : y) all.push_back(yj - xi);
    std::sort(all.begin(), all.end());
    for (size_t k = 0; k < all.size(); ++k)
      ASSERT_EQ(kth_pairwise_difference(x, y, k), all[k]) << "trial " << trial << " k " << k;
  }
  EXPECT_THROW(kth_pairwise_difference(std::vector<double>{1}, std::vector<double>{2}, 1),
               std::out_of_range);
}

TEST(PairwiseSelect, HundredThousandPerSideWithoutTheirTenBillionDifferences) {
  std::vector<double> x(100000), y(100000);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 1);
  for (double& v : x) v = 100 + noise(rng);
  for (double& v : y) v = 101 + noise(rng);
  double lo = 0, hi = 0;
  ASSERT_TRUE(shift_confidence_interval(x, y, 0.05, &lo, &hi));
  EXPECT_LT(lo, 1.0);
  EXPECT_GT(hi, 1.0);
  EXPECT_LT(hi - lo, 0.05);
}

}  // namespace
}  // namespace bitnet::diff
