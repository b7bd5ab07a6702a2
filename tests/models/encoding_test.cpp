#include "models/encoding/encoding.h"

#include <gtest/gtest.h>

#include <cmath>

namespace pcmsim {
namespace {

TEST(Encoding, BitSlicesAreTheDigitsOfTheQuantizedWeight) {
  WeightEncoding e;
  e.mode = WeightEncoding::Mode::BitSlices;
  e.slices = 4;
  e.bits_per_slice = 2;  // 8-bit weights: code = round(|w| / w_max * 255)
  std::vector<float> w = {0.3f, -0.3f, 1.0f, 0.0f, 0.001f};
  // 0.3 * 255 = 76.5 -> 77 = 0b01'00'11'01: digits 1, 0, 3, 1 (most significant first).
  const double unit = 1.0 / 255.0;
  std::vector<std::vector<float>> parts;
  for (int s = 0; s < 4; ++s) parts.push_back(e.slice(w.data(), w.size(), 1.0, s));
  EXPECT_FLOAT_EQ(parts[0][0], float(1 * 64 * unit));
  EXPECT_FLOAT_EQ(parts[1][0], 0.0f);
  EXPECT_FLOAT_EQ(parts[2][0], float(3 * 4 * unit));
  EXPECT_FLOAT_EQ(parts[3][0], float(1 * unit));
  EXPECT_FLOAT_EQ(parts[0][1], -parts[0][0]);  // the sign sits on the pair
  for (size_t i = 0; i < w.size(); ++i) {
    double sum = 0;
    for (int s = 0; s < 4; ++s) sum += parts[size_t(s)][i];
    double q = std::copysign(std::round(std::fabs(w[i]) * 255.0) / 255.0, w[i]);
    EXPECT_NEAR(sum, q, 1e-6) << i;
  }
  // Full scales: digit 3 at each position.
  std::vector<double> fs = e.full_scales(1.0);
  ASSERT_EQ(fs.size(), 4u);
  EXPECT_NEAR(fs[0], 3 * 64 * unit, 1e-12);
  EXPECT_NEAR(fs[3], 3 * unit, 1e-12);
  EXPECT_EQ(e.levels(), 4);
}

TEST(Encoding, SignificanceAndSingleFullScales) {
  WeightEncoding sig;
  sig.mode = WeightEncoding::Mode::Significance;
  sig.factors = {1.0, 0.25};
  EXPECT_EQ(sig.levels(), 2);
  EXPECT_EQ(sig.full_scales(0.8), (std::vector<double>{0.8, 0.2}));
  WeightEncoding single;
  EXPECT_EQ(single.levels(), 1);
  EXPECT_EQ(single.full_scales(0.8), (std::vector<double>{0.8}));
}

}  // namespace
}  // namespace pcmsim
