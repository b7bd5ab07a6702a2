#include "sim/sweep/pareto.h"

namespace pcmsim {

std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& scores) {
  std::vector<size_t> front;
  for (size_t i = 0; i < scores.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < scores.size() && !dominated; ++j) {
      if (j == i) continue;
      bool no_worse = true, better = false;
      for (size_t k = 0; k < scores[i].size(); ++k) {
        no_worse = no_worse && scores[j][k] <= scores[i][k];
        better = better || scores[j][k] < scores[i][k];
      }
      dominated = no_worse && better;
    }
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace pcmsim
