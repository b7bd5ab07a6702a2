#pragma once
// Deterministic elementary functions in single precision: fixed sequences of IEEE basic
// operations (+, -, ×, /, sqrt; one multiply and one add per polynomial step, no fused
// multiply-add) and exact bit manipulations, so their results are the same on every machine,
// vector width and C library version (decisions 57, 65). Inline and branch-free (selects only),
// so that loops over them vectorize, sixteen lanes wide on AVX-512. Accurate to a few units in
// the last place: checked against the C library in tests/models/rng_test.cpp.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pcmsim::det {

// ln 2 in two parts: the high part has 16 significant bits, so k × kLn2Hi is exact for any
// |k| < 2^8 (fdlibm's expf split).
inline constexpr float kLn2 = 0.693147180559945309f;
inline constexpr float kLn2Hi = 6.9314575195e-01f, kLn2Lo = 1.4286067653e-06f;
inline constexpr float kSqrt2 = 1.41421356237309504880f;

// Polynomial coefficients, highest power first.
// ln m = 2 atanh(s) = s (2 + 2 s^2/3 + ... + 2 s^8/9), s = (m - 1) / (m + 1), |s| <= 0.1716
// for m in [sqrt(1/2), sqrt(2)): truncation below 3e-9 relative.
inline constexpr float kLogSeries[] = {2.0f / 9, 2.0f / 7, 2.0f / 5, 2.0f / 3, 2.0f};
// e^r = sum r^k / k! for k <= 7 (|r| <= ln 2 / 2: truncation below 2e-9 relative).
inline constexpr float kExpSeries[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
                                       1.0f / 6,    0.5f,       1.0f,       1.0f};
// sin x = x (1 - x^2/3! + ... + x^8/9!), cos x = 1 - x^2/2! + ... - x^10/10!, both in x^2,
// for |x| <= pi/4: truncation below 2e-9.
inline constexpr float kSinSeries[] = {1.0f / 362880, -1.0f / 5040, 1.0f / 120, -1.0f / 6, 1.0f};
inline constexpr float kCosSeries[] = {-1.0f / 3628800, 1.0f / 40320, -1.0f / 720,
                                       1.0f / 24,       -0.5f,        1.0f};

/// @brief The polynomial with coefficients @p c (highest power first) at @p x by Horner's rule,
/// a multiply then an add per step; expanded at compile time (no loop), so that the loops
/// calling it vectorize.
template <size_t K = 1, size_t N>
inline float poly(const float (&c)[N], float x, float p = 0.0f) {
  if constexpr (K == 1) p = c[0];
  if constexpr (K == N) {
    return p;
  } else {
    return poly<K + 1>(c, x, p * x + c[K]);
  }
}

/// @brief ln x for a positive normal float x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
/// the atanh series (kLogSeries).
inline float log(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int32_t e0 = int32_t(bits >> 23) - 127;
  const uint32_t mbits = (bits & 0x007FFFFFu) | 0x3F800000u;
  float m;
  std::memcpy(&m, &mbits, sizeof m);  // [1, 2)
  const bool big = m > kSqrt2;
  m = big ? m * 0.5f : m;
  const float e = float(e0) + (big ? 1.0f : 0.0f);
  const float s = (m - 1.0f) / (m + 1.0f);
  return e * kLn2 + s * poly(kLogSeries, s * s);
}

/// @brief e^x for x in [-87, 88]: x = k ln 2 + r, |r| <= ln 2 / 2 (k rounded to nearest),
/// e^r by its Taylor series (kExpSeries), times 2^k built from its bits.
inline float exp(float x) {
  const float k = std::nearbyint(x * 1.44269504088896340736f);  // x / ln 2
  const float r = (x - k * kLn2Hi) - k * kLn2Lo;
  const float p = poly(kExpSeries, r);
  const uint32_t sbits = uint32_t(int32_t(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &sbits, sizeof scale);
  return p * scale;
}

/// @brief x^y for x > 0 (normal) and |y ln x| <= 87, as e^(y ln x).
inline float pow(float x, float y) { return exp(y * log(x)); }

}  // namespace pcmsim::det
