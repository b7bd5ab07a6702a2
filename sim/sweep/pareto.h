#pragma once
// The Pareto front of points scored on several objectives, all to be minimized.

#include <cstddef>
#include <vector>

namespace pcmsim {

/// @brief Indices (ascending) of the points of @p scores that no other point dominates: none is
/// at least as good in every objective and better in one. Points with equal scores are all on
/// the front when neither is dominated by a third.
std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& scores);

}  // namespace pcmsim
