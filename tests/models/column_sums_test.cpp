// The array kernel against a plain loop written here: whichever instruction-set variant the
// machine picks must give the same bits as one fused multiply-add per term in single precision,
// rows in order.

#include "models/array/column_sums.h"

#include <gtest/gtest.h>

#include <cmath>
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
  std::vector<float> got(cols, 0.5f), want(cols, 0.5f);
  accumulate_columns(x.data(), g.data(), rows, cols, got.data());
  for (int i = 0; i < rows; ++i) {
    const volatile float xi = x[size_t(i)];  // no vectorization
    if (xi == 0.0f) continue;
    for (int c = 0; c < cols; ++c) {
      const volatile float sum =
          std::fma(float(xi), g[size_t(i) * cols + size_t(c)], want[size_t(c)]);
      want[size_t(c)] = sum;
    }
  }
  for (int c = 0; c < cols; ++c) EXPECT_EQ(got[size_t(c)], want[size_t(c)]) << "column " << c;
}

TEST(ColumnSums, ABatchGivesEachVectorTheBitsOfTheOneVectorLoop) {
  // 1 to 13 vectors (register blocks of 6 and every remainder), 37 rows and 300 (long sums
  // whose rounding order shows), and column counts that leave every remainder of the
  // 64-column panels (5, 131); the inputs of rows 0, 3, 6, .. are zero in every vector (rows a
  // block leaves out), others zero in some vectors only; then again with every input of the
  // first vector of each block of 6 nonzero (no row left out). Each vector's sums must be
  // those of the plain loop on it alone: one fused multiply-add per term, rows in order, into
  // sums that start at +0. The sums are written over NaN (nothing of the buffer is read), the
  // padding left alone.
  RngStream r(12, DrawKind::Fault, 4, 5);
  for (const int rows : {37, 300})
    for (int cols : {5, 131}) {
      std::vector<float> g(size_t(rows) * size_t(cols));
      for (size_t i = 0; i < g.size(); ++i)
        g[i] = float((r.uniform(1000 + i) * 2 - 1) * (i % 7 == 0 ? 1e-4 : 1.0));
      for (const bool dense : {false, true})
        for (int n = 1; n <= 13; ++n) {
          const int ld_x = rows + 3, ld_acc = cols + 1;  // strides wider than the rows and columns
          std::vector<float> x(size_t(n) * size_t(ld_x), 0.0f);
          for (int v = 0; v < n; ++v)
            for (int i = 0; i < rows; ++i)
              if ((i % 3 != 0 && (i + v) % 5 != 0) || (dense && v % 6 == 0))
                x[size_t(v * ld_x + i)] =
                    float((r.uniform(uint64_t(50000 + v * 1000 + i)) - 0.5) * 1e3) + 0.25f;
          std::vector<float> got(size_t(n) * size_t(ld_acc), std::nanf(""));
          column_sums_batch(x.data(), n, ld_x, g.data(), rows, cols, got.data(), ld_acc);
          for (int v = 0; v < n; ++v) {
            for (int c = 0; c < cols; ++c) {
              volatile float want = 0.0f;
              for (int i = 0; i < rows; ++i) {
                const volatile float xi = x[size_t(v * ld_x + i)];
                if (xi == 0.0f) continue;
                want = std::fma(float(xi), g[size_t(i * cols + c)], float(want));
              }
              ASSERT_EQ(got[size_t(v * ld_acc + c)], want)
                  << n << " vectors" << (dense ? " (dense)" : "") << ", vector " << v << ", column "
                  << c << " of " << cols;
            }
            EXPECT_TRUE(std::isnan(got[size_t(v * ld_acc + cols)]));  // the padding
          }
        }
    }
}

}  // namespace
}  // namespace pcmsim
