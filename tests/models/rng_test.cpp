#include "sim/base/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/base/detmath.h"

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

TEST(RngStream, NormalsGiveTheBitsOfNormalOneAtATime) {
  // Every start modulo 4 and lengths around the vector widths (8 and 32 Philox blocks: 32 and
  // 128 draws).
  RngStream a(5, DrawKind::OutputNoise, 3, 9);
  for (uint64_t start : {0ull, 1ull, 2ull, 3ull, 14ull, 1000001ull, (1ull << 40) + 3}) {
    for (size_t n : {0, 1, 2, 3, 5, 31, 32, 33, 63, 65, 100, 127, 128, 129, 200, 300}) {
      std::vector<double> got(n + 1, -99.0);
      a.normals(start, n, got.data());
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(got[i], a.normal(start + i)) << "start " << start << ", n " << n << ", i " << i;
      EXPECT_EQ(got[n], -99.0);  // nothing written past n
    }
  }
}

TEST(RngStream, ABatchOfRequestsGivesTheBitsOfNormalOneAtATime) {
  // 1 to 9 requests (the groups of several requests run together in fours) of 32 and 64 draws
  // from block boundaries, and the other paths: lengths that are not whole groups (48, 5),
  // starts off a block boundary, none.
  RngStream a(6, DrawKind::OutputNoise, 2, 4);
  for (size_t n : {0, 5, 32, 48, 64, 160}) {
    for (uint64_t shift : {0ull, 2ull}) {
      for (size_t count = 1; count <= 9; ++count) {
        std::vector<uint64_t> index;
        for (size_t k = 0; k < count; ++k) index.push_back(4096 * (k * k + 1) + 64 * k + shift);
        std::vector<float> got(count * n + 1, -99.0f);
        a.normals_batch(index.data(), count, n, got.data());
        for (size_t k = 0; k < count; ++k)
          for (size_t i = 0; i < n; ++i)
            ASSERT_EQ(double(got[k * n + i]), a.normal(index[k] + i))
                << count << " requests of " << n << ", shift " << shift << ", request " << k
                << ", draw " << i;
        EXPECT_EQ(got[count * n], -99.0f);  // nothing written past the last request
      }
    }
  }
}

TEST(RngStream, OwnLogarithmAndCosineAgreeWithTheCLibrary) {
  // Draw i is draw i & 3 of Philox block i / 4 (counter: block's low and high words, array,
  // kind << 20 | layer; key: the seed's low and high words): Box-Muller on words (0, 1) for
  // draws 0 (cosine) and 1 (sine), on words (2, 3) for draws 2 and 3, with u1 = 1 - (w >> 8)
  // 2^-24 and u2 = (w >> 8) 2^-24. The same uniforms through the C library's log, cos and sin
  // in long double must agree within 8 units of single precision's last place (8 x 2^-24,
  // relative, at least that absolute) over 400,000 draws, tails included.
  const uint64_t seed = 0x123456789ull;
  RngStream a(seed, DrawKind::ReadNoise, 7, 11);
  double worst = 0.0, largest = 0.0;
  for (uint64_t i = 0; i < 400000; ++i) {
    const uint64_t b = i >> 2;
    const auto r = philox4x32({uint32_t(b), uint32_t(b >> 32), 11u, (3u << 20) | 7u},
                              {uint32_t(seed), uint32_t(seed >> 32)});
    const size_t pair = (i >> 1) & 1;
    const long double u1 = 1.0L - (long double)(r[2 * pair] >> 8) / 16777216.0L;
    const long double u2 = (long double)(r[2 * pair + 1] >> 8) / 16777216.0L;
    const long double rad = std::sqrt(-2.0L * std::log(u1)),
                      ang = 6.283185307179586476925286766559L * u2;
    const long double want = (i & 1) ? rad * std::sin(ang) : rad * std::cos(ang);
    const double got = a.normal(i);
    worst = std::max(worst, double(std::fabs(got - want) / std::max(1.0L, std::fabs(want))));
    largest = std::max(largest, std::fabs(got));
  }
  EXPECT_LT(worst, 8.0 / 16777216.0) << worst * 16777216.0 << " units of 2^-24";
  EXPECT_GT(largest, 4.0);     // the tails were sampled
  EXPECT_LE(largest, 5.7686);  // sqrt(-2 ln 2^-24), the largest a 24-bit u1 allows
}

TEST(DetMath, LogExpAndPowAgreeWithTheCLibrary) {
  // Over the ranges the device models use (ln of conductance ratios 1e-30 .. 10, e^x for drift
  // factors and powers, x in [-60, 5]) and beyond, in single precision against the C library
  // in long double on the same float arguments: ln and e^x within 2 units of the last place
  // (4 x 2^-24 relative; the series truncate below 3e-9, the rest is a handful of roundings).
  RngStream r(3, DrawKind::Fault, 0, 0);
  double worst_log = 0, worst_exp = 0, worst_pow = 0;
  for (uint64_t i = 0; i < 200000; ++i) {
    const float x = float(std::pow(10.0, -30.0 + 32.0 * r.uniform(i)));  // 1e-30 .. 100
    const long double want_log = std::log((long double)x);
    worst_log = std::max(worst_log, double(std::fabs(det::log(x) - want_log) /
                                           std::max(1e-30L, std::fabs(want_log))));
    const float y = float(-60.0 + 65.0 * r.uniform(1000000 + i));
    const long double want_exp = std::exp((long double)y);
    worst_exp = std::max(worst_exp, double(std::fabs(det::exp(y) - want_exp) / want_exp));
    const long double want_pow = std::pow((long double)x, 0.65L);
    worst_pow = std::max(worst_pow, double(std::fabs(det::pow(x, 0.65f) - want_pow) / want_pow));
  }
  const double ulp = 1.0 / 16777216.0;  // 2^-24, half an ulp of 1
  EXPECT_LT(worst_log, 4 * ulp) << worst_log / ulp;
  EXPECT_LT(worst_exp, 4 * ulp) << worst_exp / ulp;
  // e^(0.65 ln x): an error of ln x becomes a relative error of the result 0.65 times its
  // absolute size. Here |ln x| <= 69: 4 x 2^-24 of 69 is 1.6e-5, times 0.65 is 1.1e-5; the
  // rounding of 0.65f (2e-8 relative, x 45) and of the product (1.9e-6) add 3e-6: 1.4e-5.
  EXPECT_LT(worst_pow, 1.4e-5) << worst_pow;
  EXPECT_EQ(det::log(1.0f), 0.0f);
  EXPECT_EQ(det::exp(0.0f), 1.0f);
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
