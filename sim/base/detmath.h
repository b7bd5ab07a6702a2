#pragma once
// Deterministic elementary functions: fixed sequences of IEEE basic operations (+, -, ×, /,
// sqrt, fused multiply-add written as std::fma) and exact bit manipulations, so their results
// are the same on every machine, vector width and C library version (decision 57). Inline and
// branch-free (selects only), so that loops over them vectorize. Accurate to a few units in the
// last place: checked against the C library in tests/models/rng_test.cpp.

#include <cmath>
#include <cstdint>
#include <cstring>

namespace pcmsim::det {

// ln 2 in two parts: the high part has 32 significant bits, so k × kLn2Hi is exact for any
// |k| < 2^21 (fdlibm's split).
inline constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
inline constexpr double kSqrt2 = 1.41421356237309504880;

/// @brief ln x for a positive normal double x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m
/// = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: 2 (s + s^3/3 + ... + s^19/19),
/// truncation below 2e-17 relative.
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
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double p = 2.0 / 19;
  p = std::fma(p, s2, 2.0 / 17);
  p = std::fma(p, s2, 2.0 / 15);
  p = std::fma(p, s2, 2.0 / 13);
  p = std::fma(p, s2, 2.0 / 11);
  p = std::fma(p, s2, 2.0 / 9);
  p = std::fma(p, s2, 2.0 / 7);
  p = std::fma(p, s2, 2.0 / 5);
  p = std::fma(p, s2, 2.0 / 3);
  p = std::fma(p, s2, 2.0);
  return std::fma(e, kLn2Hi, std::fma(e, kLn2Lo, s * p));
}

/// @brief e^x for x in [-700, 700]: x = k ln 2 + r, |r| <= ln 2 / 2 (k rounded to nearest),
/// e^r by its Taylor series to r^14/14! (truncation below 1e-17 relative), times 2^k built
/// from its bits.
inline double exp(double x) {
  const double k = std::nearbyint(x * 1.44269504088896340736);  // x / ln 2
  const double r = std::fma(-k, kLn2Lo, std::fma(-k, kLn2Hi, x));
  double p = 1.0 / 87178291200.0;  // 1/14!
  p = std::fma(p, r, 1.0 / 6227020800.0);
  p = std::fma(p, r, 1.0 / 479001600.0);
  p = std::fma(p, r, 1.0 / 39916800.0);
  p = std::fma(p, r, 1.0 / 3628800.0);
  p = std::fma(p, r, 1.0 / 362880.0);
  p = std::fma(p, r, 1.0 / 40320.0);
  p = std::fma(p, r, 1.0 / 5040.0);
  p = std::fma(p, r, 1.0 / 720.0);
  p = std::fma(p, r, 1.0 / 120.0);
  p = std::fma(p, r, 1.0 / 24.0);
  p = std::fma(p, r, 1.0 / 6.0);
  p = std::fma(p, r, 0.5);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  const uint64_t sbits = uint64_t(int64_t(k) + 1023) << 52;
  double scale;
  std::memcpy(&scale, &sbits, sizeof scale);
  return p * scale;
}

/// @brief x^y for x > 0 (normal) as e^(y ln x).
inline double pow(double x, double y) { return exp(y * log(x)); }

}  // namespace pcmsim::det
