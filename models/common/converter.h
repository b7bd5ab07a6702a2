#pragma once
// What every converter (DAC, ADC) shares: its cost figures and the symmetric uniform quantizer.

#include <cmath>
#include <cstddef>

#include "sim/base/cycles.h"

namespace pcmsim {

/// @brief Cost figures every converter reports.
struct ConverterCost {
  Cycles latency;         ///< DAC: cycles to apply one input vector; ADC: cycles per conversion
  double energy_pj = 0;   ///< energy of one conversion
  double area_um2 = 0;    ///< area of one converter
  double leakage_mw = 0;  ///< static power of one converter
  /// Value-dependent time, ns per LSB: a duration-coded DAC's pulse per input LSB; a ramp or CCO
  /// ADC's conversion per output LSB (on top of `latency`). 0 for fixed-time converters.
  double ns_per_lsb = 0;
};

/// @brief Step of a symmetric uniform quantizer over [-bound, bound] with 2^bits - 1 levels,
/// zero included: 2*bound / (2^bits - 2), as aihwkit's inp_res/out_res.
float quantizer_step(float bound, int bits);
/// @brief @p x rounded to the nearest multiple of @p step (ties to even): every converter's
/// rounding.
inline float round_to_step(float x, float step) { return std::nearbyint(x / step) * step; }
/// @brief @p q clipped to [-bound, bound].
inline float clip_to(float q, float bound) { return q < -bound ? -bound : q > bound ? bound : q; }

/// @brief Rounds @p x to the nearest multiple of @p step (ties to even), then clips to +-bound.
float quantize_symmetric(float x, float bound, int bits);
/// @brief out[i] = quantize_symmetric(x[i] × scale, bound, bits) for i < n, bit for bit
/// (vectorized).
void quantize_symmetric_n(const float* x, float scale, float bound, int bits, float* out, size_t n);

}  // namespace pcmsim
