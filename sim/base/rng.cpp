#include "sim/base/rng.h"

#include <cmath>

namespace pcmsim {

namespace {
// Multipliers and Weyl key increments of Philox4x32 (Salmon et al. 2011, Sec. 5).
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

inline void mulhilo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}

inline double to_unit53(uint32_t hi, uint32_t lo) {
  uint64_t bits = (static_cast<uint64_t>(hi) << 21) ^ (lo >> 11);  // 53 bits
  return static_cast<double>(bits & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
}
}  // namespace

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kM0, c[0], &hi0, &lo0);
    mulhilo(kM1, c[2], &hi1, &lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

RngStream::RngStream(uint64_t seed, DrawKind kind, uint32_t layer, uint32_t array)
    : m_key{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)},
      m_array(array),
      m_kind_layer((static_cast<uint32_t>(kind) << 20) | (layer & 0xFFFFFu)) {}

std::array<uint32_t, 4> RngStream::block(uint64_t index) const {
  return philox4x32(
      {static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), m_array, m_kind_layer},
      m_key);
}

double RngStream::normal(uint64_t index) const {
  auto r = block(index);
  double u1 = 1.0 - to_unit53(r[0], r[1]);  // (0, 1]: log stays finite
  double u2 = to_unit53(r[2], r[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

double RngStream::uniform(uint64_t index) const {
  auto r = block(index);
  return to_unit53(r[0], r[1]);
}

}  // namespace pcmsim
