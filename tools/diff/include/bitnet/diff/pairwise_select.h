// Order statistics of the m·n pairwise differences y_j - x_i without forming them: the
// Hodges-Lehmann / Moses interval needs two of them, and 100 000 repetitions per side would
// otherwise be 10^10 doubles.
#pragma once

#include <cstddef>
#include <span>

namespace bitnet::diff {

// The k-th smallest (0-based, k < x.size() * y.size()) of { y_j - x_i }, exactly the value the
// full sort would give (each difference is computed as y_j - x_i). O(m + n) memory and expected
// O((m + n) log(m n)) time: a randomised selection over the sorted-rows matrix, each round
// counting the differences below a pivot with one merge-like sweep. Deterministic (fixed seed).
double kth_pairwise_difference(std::span<const double> x, std::span<const double> y, std::size_t k);

}  // namespace bitnet::diff
