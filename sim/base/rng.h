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
  /// @brief Standard normal draw number @p index: Box-Muller on the two 53-bit uniforms of
  /// Philox block index / 2, its cosine for even indices and its sine for odd ones. The
  /// logarithm, cosine and sine are the project's own (fixed polynomials of basic IEEE
  /// operations, not the C library's), so every machine and every vector width gives the same
  /// bits.
  double normal(uint64_t index) const;
  /// @brief Draws @p index .. @p index + @p n - 1 into @p out, bit for bit normal() of each
  /// (eight Philox blocks at a time on AVX-512).
  void normals(uint64_t index, size_t n, double* out) const;
  /// @brief For each of the @p n Philox blocks numbered in @p blocks: normal(2 b) into even[i]
  /// and normal(2 b + 1) into odd[i] (eight blocks at a time on AVX-512).
  void normal_pairs(const uint64_t* blocks, size_t n, double* even, double* odd) const;
  /// @brief Uniform draw in [0, 1) number @p index.
  double uniform(uint64_t index) const;

 private:
  std::array<uint32_t, 4> block(uint64_t index) const;
  std::array<uint32_t, 2> m_key;
  uint32_t m_array, m_kind_layer;
};

}  // namespace pcmsim
