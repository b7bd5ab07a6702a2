#pragma once
// Deterministic elementary functions: fixed sequences of IEEE basic operations (+, -, ×, /,
// sqrt, fused multiply-add written as std::fma) and exact bit manipulations, so their results
// are the same on every machine, vector width and C library version (decision 57). Inline and
// branch-free (selects only), so that loops over them vectorize. Accurate to a few units in the
// last place: checked against the C library in tests/models/rng_test.cpp.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pcmsim::det {

// ln 2 in two parts: the high part has 32 significant bits, so k × kLn2Hi is exact for any
// |k| < 2^21 (fdlibm's split).
inline constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
inline constexpr double kSqrt2 = 1.41421356237309504880;

// ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716 for m in [sqrt(1/2), sqrt(2)):
// 2 (s + s^3/3 + ... + s^19/19) = s p(s^2), truncation below 2e-17 relative. Highest first.
inline constexpr double kLogSeries[] = {2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11,
                                        2.0 / 9,  2.0 / 7,  2.0 / 5,  2.0 / 3,  2.0};
// e^r = sum r^k / k! for k <= 14 (|r| <= ln 2 / 2: truncation below 1e-17 relative).
inline constexpr double kExpSeries[] = {1.0 / 87178291200.0,
                                        1.0 / 6227020800.0,
                                        1.0 / 479001600.0,
                                        1.0 / 39916800.0,
                                        1.0 / 3628800.0,
                                        1.0 / 362880.0,
                                        1.0 / 40320.0,
                                        1.0 / 5040.0,
                                        1.0 / 720.0,
                                        1.0 / 120.0,
                                        1.0 / 24.0,
                                        1.0 / 6.0,
                                        0.5,
                                        1.0,
                                        1.0};
// sin x = x (1 - x^2/3! + ... - x^18/19!), cos x = 1 - x^2/2! + ... + x^20/20!, both in x^2,
// for |x| <= pi/4: truncation below 1e-19.
inline constexpr double kSinSeries[] = {-1.0 / 121645100408832000.0,
                                        1.0 / 355687428096000.0,
                                        -1.0 / 1307674368000.0,
                                        1.0 / 6227020800.0,
                                        -1.0 / 39916800.0,
                                        1.0 / 362880.0,
                                        -1.0 / 5040.0,
                                        1.0 / 120.0,
                                        -1.0 / 6.0,
                                        1.0};
inline constexpr double kCosSeries[] = {1.0 / 2432902008176640000.0,
                                        -1.0 / 6402373705728000.0,
                                        1.0 / 20922789888000.0,
                                        -1.0 / 87178291200.0,
                                        1.0 / 479001600.0,
                                        -1.0 / 3628800.0,
                                        1.0 / 40320.0,
                                        -1.0 / 720.0,
                                        1.0 / 24.0,
                                        -1.0 / 2.0,
                                        1.0};

/// @brief The polynomial with coefficients @p c (highest power first) at @p x, by Horner's
/// rule with one fused multiply-add per step; expanded at compile time (no loop), so that the
/// loops calling it vectorize.
template <size_t K = 1, size_t N>
inline double horner(const double (&c)[N], double x, double p = 0.0) {
  if constexpr (K == 1) p = c[0];
  if constexpr (K == N) {
    return p;
  } else {
    return horner<K + 1>(c, x, std::fma(p, x, c[K]));
  }
}

/// @brief ln x for a positive normal double x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
/// the atanh series (kLogSeries).
inline double log(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int64_t e0 = int64_t(bits >> 52) - 1023;
  const uint64_t mbits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  double m;
  std::memcpy(&m, &mbits, sizeof m);  // [1, 2)
  const bool big = m > kSqrt2;
  m = big ? m * 0.5 : m;
  const double e = double(e0) + (big ? 1.0 : 0.0);
  const double s = (m - 1.0) / (m + 1.0);
  return std::fma(e, kLn2Hi, std::fma(e, kLn2Lo, s * horner(kLogSeries, s * s)));
}

/// @brief e^x for x in [-700, 700]: x = k ln 2 + r, |r| <= ln 2 / 2 (k rounded to nearest),
/// e^r by its Taylor series (kExpSeries), times 2^k built from its bits.
inline double exp(double x) {
  const double k = std::nearbyint(x * 1.44269504088896340736);  // x / ln 2
  const double r = std::fma(-k, kLn2Lo, std::fma(-k, kLn2Hi, x));
  const double p = horner(kExpSeries, r);
  const uint64_t sbits = uint64_t(int64_t(k) + 1023) << 52;
  double scale;
  std::memcpy(&scale, &sbits, sizeof scale);
  return p * scale;
}

/// @brief x^y for x > 0 (normal) as e^(y ln x).
inline double pow(double x, double y) { return exp(y * log(x)); }

}  // namespace pcmsim::det
