#pragma once
// Strong types for simulated time: cycles of the chip clock, and the clock that turns them into
// nanoseconds. Conversion between the two happens only through Clock.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>

namespace pcmsim {

/// @brief A count of clock cycles. Arithmetic keeps the unit; no implicit conversion to integers.
class Cycles {
 public:
  constexpr Cycles() = default;
  constexpr explicit Cycles(uint64_t n) : m_n(n) {}
  constexpr uint64_t count() const { return m_n; }

  constexpr Cycles operator+(Cycles o) const { return Cycles(m_n + o.m_n); }
  constexpr Cycles operator-(Cycles o) const { return Cycles(m_n - o.m_n); }
  constexpr Cycles operator*(uint64_t k) const { return Cycles(m_n * k); }
  Cycles& operator+=(Cycles o) {
    m_n += o.m_n;
    return *this;
  }
  constexpr bool operator==(Cycles o) const { return m_n == o.m_n; }
  constexpr bool operator!=(Cycles o) const { return m_n != o.m_n; }
  constexpr bool operator<(Cycles o) const { return m_n < o.m_n; }
  constexpr bool operator<=(Cycles o) const { return m_n <= o.m_n; }
  constexpr bool operator>(Cycles o) const { return m_n > o.m_n; }
  constexpr bool operator>=(Cycles o) const { return m_n >= o.m_n; }

 private:
  uint64_t m_n = 0;
};

inline Cycles max(Cycles a, Cycles b) { return a < b ? b : a; }
inline std::ostream& operator<<(std::ostream& os, Cycles c) { return os << c.count() << " cyc"; }

/// @brief Integer division rounded up, for "how many cycles does N items at K per cycle take".
constexpr uint64_t ceil_div(uint64_t n, uint64_t k) { return (n + k - 1) / k; }

/// @brief The chip clock: the one place where cycles become time.
class Clock {
 public:
  explicit Clock(double freq_ghz = 1.0) : m_period_ns(1.0 / freq_ghz) {}
  double period_ns() const { return m_period_ns; }
  double freq_ghz() const { return 1.0 / m_period_ns; }
  double to_ns(Cycles c) const { return static_cast<double>(c.count()) * m_period_ns; }
  /// @brief The fewest whole cycles that last at least @p ns nanoseconds.
  Cycles cycles_for_ns(double ns) const {
    // The small slack keeps exact multiples (100 ns at 1 GHz) from rounding up to 101.
    return Cycles(static_cast<uint64_t>(std::ceil(ns / m_period_ns - 1e-9)));
  }

 private:
  double m_period_ns;
};

}  // namespace pcmsim
