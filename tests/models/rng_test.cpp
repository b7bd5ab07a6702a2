#include "sim/base/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace pcmsim {
namespace {

// Known-answer vectors of Philox4x32-10 (Salmon et al., SC 2011; Random123 kat_vectors).
TEST(Philox, KnownAnswers) {
  auto zero = philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(zero[0], 0x6627e8d5u);
  EXPECT_EQ(zero[1], 0xe169c58du);
  EXPECT_EQ(zero[2], 0xbc57ac4cu);
  EXPECT_EQ(zero[3], 0x9b00dbd8u);
  auto ones =
      philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu});
  EXPECT_EQ(ones[0], 0x408f276du);
  EXPECT_EQ(ones[1], 0x41c83b0eu);
  EXPECT_EQ(ones[2], 0xa20bc7c6u);
  EXPECT_EQ(ones[3], 0x6d5451fdu);
}

TEST(RngStream, DrawsDependOnlyOnTheirKey) {
  RngStream a(7, DrawKind::ProgNoise, 2, 3);
  double forward[100], backward[100];
  for (int i = 0; i < 100; ++i) forward[i] = a.normal(uint64_t(i));
  for (int i = 99; i >= 0; --i)
    backward[i] = RngStream(7, DrawKind::ProgNoise, 2, 3).normal(uint64_t(i));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(forward[i], backward[i]);
  EXPECT_NE(a.normal(0), RngStream(8, DrawKind::ProgNoise, 2, 3).normal(0));  // seed
  EXPECT_NE(a.normal(0), RngStream(7, DrawKind::ReadNoise, 2, 3).normal(0));  // kind
  EXPECT_NE(a.normal(0), RngStream(7, DrawKind::ProgNoise, 1, 3).normal(0));  // layer
  EXPECT_NE(a.normal(0), RngStream(7, DrawKind::ProgNoise, 2, 4).normal(0));  // array
}

TEST(RngStream, NormalMomentsWithinSamplingError) {
  const int n = 400000;
  RngStream s(1, DrawKind::ProgNoise, 0, 0);
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    double z = s.normal(uint64_t(i));
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
    beyond2 += std::fabs(z) > 2.0;
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  // Standard errors: mean 1/sqrt(n), variance sqrt(2/n), kurtosis sqrt(96/n); 5 sigma bounds.
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));
  EXPECT_NEAR(sum4 / n, 3.0, 5.0 * std::sqrt(96.0 / n));
  // P(|z| > 2) = 0.0455003; binomial standard error.
  double p = 0.0455003;
  EXPECT_NEAR(double(beyond2) / n, p, 5.0 * std::sqrt(p * (1 - p) / n));
}

TEST(RngStream, UniformMeanAndRange) {
  const int n = 200000;
  RngStream s(3, DrawKind::Fault, 0, 0);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    double u = s.uniform(uint64_t(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / n));
}

}  // namespace
}  // namespace pcmsim
