#pragma once
// Counter-based random numbers (Philox4x32-10; Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", SC 2011). Every draw is a pure function of (seed, kind of draw, layer, array,
// index), so results do not depend on the order in which the simulator evaluates things.

#include <array>
#include <cstddef>
#include <cstdint>

namespace pcmsim {

/// @brief What a random draw is for; part of the counter so that streams never overlap.
enum class DrawKind : uint32_t {
  ProgNoise = 1,
  DriftNu = 2,
  ReadNoise = 3,
  OutputNoise = 4,
  Fault = 5,
  Input = 6,  ///< synthetic dataset inputs
  Sample = 7  ///< a sweep's random sample of its points
};

/// @brief Philox4x32 with 10 rounds: 128-bit counter, 64-bit key -> 128 random bits.
std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> ctr, std::array<uint32_t, 2> key);

/// @brief A keyed stream of draws: the value at an index never depends on other draws.
class RngStream {
 public:
  /// @param layer, array  which mapped layer and array block (layer < 2^20)
  RngStream(uint64_t seed, DrawKind kind, uint32_t layer, uint32_t array);
  /// @brief Standard normal draw number @p index: draw index & 3 of Philox block index / 4,
  /// whose words (0, 1) and (2, 3) each give a Box-Muller pair (cosine, then sine) on 24-bit
  /// uniforms in single precision (decision 65; |z| <= 5.77). The logarithm, cosine and sine
  /// are the project's own (fixed polynomials of IEEE basic operations, not the C library's),
  /// so every machine and every vector width gives the same bits.
  double normal(uint64_t index) const;
  /// @brief Draws @p index .. @p index + @p n - 1 into @p out, bit for bit normal() of each
  /// (up to 32 Philox blocks, 128 draws, at a time on AVX-512).
  void normals(uint64_t index, size_t n, double* out) const;
  void normals(uint64_t index, size_t n, float* out) const;
  /// @brief @p count requests of @p n draws: request k's draws index[k] .. index[k] + n - 1
  /// into out[k n ..], bit for bit normals() of each (faster for many short requests).
  void normals_batch(const uint64_t* index, size_t count, size_t n, float* out) const;
  /// @brief Uniform draw in [0, 1) number @p index.
  double uniform(uint64_t index) const;

 private:
  std::array<uint32_t, 4> block(uint64_t index) const;
  template <typename T>
  void normals_into(uint64_t index, size_t n, T* out) const;
  std::array<uint32_t, 2> m_key;
  uint32_t m_array, m_kind_layer;
};

}  // namespace pcmsim
