// The array kernel against a plain loop written here: whichever instruction-set variant the
// machine picks must give the same bits as one multiply and one add per term, rows in order.

#include "models/array/column_sums.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sim/base/rng.h"

namespace pcmsim {
namespace {

TEST(ColumnSums, EveryVariantGivesThePlainLoopsBits) {
  // Odd sizes (37 rows, 131 columns) leave remainders after any vector width; a third of the
  // inputs are zero (skipped rows); values over several decades so rounding order matters.
  const int rows = 37, cols = 131;
  RngStream r(11, DrawKind::Fault, 2, 3);
  std::vector<float> x(rows), g(size_t(rows) * cols);
  for (int i = 0; i < rows; ++i)
    x[size_t(i)] = i % 3 == 0 ? 0.0f : float((r.uniform(uint64_t(i)) * 2 - 1) * 1e3);
  for (size_t i = 0; i < g.size(); ++i)
    g[i] = float((r.uniform(1000 + i) * 2 - 1) * (i % 7 == 0 ? 1e-4 : 1.0));
  std::vector<double> got(cols, 0.5), want(cols, 0.5);
  accumulate_columns(x.data(), g.data(), rows, cols, got.data());
  for (int i = 0; i < rows; ++i) {
    const volatile double xi = x[size_t(i)];  // no vectorization, no contraction
    if (xi == 0.0) continue;
    for (int c = 0; c < cols; ++c) {
      const volatile double term = xi * double(g[size_t(i) * cols + size_t(c)]);
      want[size_t(c)] = want[size_t(c)] + term;
    }
  }
  for (int c = 0; c < cols; ++c) EXPECT_EQ(got[size_t(c)], want[size_t(c)]) << "column " << c;
}

}  // namespace
}  // namespace pcmsim
