#pragma once
// How a weight is spread over significance levels, each on its own array; the digital unit adds
// the levels' outputs (already in weight units). Three encodings:
//  - single: one differential pair per weight (the default);
//  - significance: one pair per level, level s with full scale factor_s * max|W|; programmed in
//    order with closed-loop residuals: level s holds what levels 0..s-1 left over after their
//    programming errors (multi-device synapses with significance factors, as in Boybat et al.,
//    Nat. Commun. 2018, and the MSP/LSP scheme of Le Gallo et al., Nat. Electron. 2023);
//  - bit_slices: the weight quantized to slices x bits_per_slice bits (sign on the pair), each
//    slice's digit on its own array, recombined by digital shift-and-add (ISAAC, Shafiee et al.,
//    ISCA 2016, stores 16-bit weights as 8 slices of 2 bits).

#include <cstddef>
#include <string>
#include <vector>

namespace pcmsim {

struct WeightEncoding {
  enum class Mode { Single, Significance, BitSlices };
  Mode mode = Mode::Single;
  std::vector<double> factors;  ///< significance: full scale of each level relative to max|W|
  int slices = 1;               ///< bit_slices: number of slices
  int bits_per_slice = 1;       ///< bit_slices: bits per slice

  /// @brief Levels (arrays) per weight.
  int levels() const;
  /// @brief Full scale (the weight mapped to g_max) of each level, for a block whose max|W| is
  /// @p w_max.
  std::vector<double> full_scales(double w_max) const;
  /// @brief bit_slices: the part of each weight that level @p s holds (sign * digit * 2^(b(S-1-s))
  /// * w_max / (2^(bS) - 1)).
  std::vector<float> slice(const float* w, size_t n, double w_max, int s) const;
};

}  // namespace pcmsim
