#pragma once
// DAC and ADC models: numerics (quantization, bounds) and cost (latency in cycles, energy per
// conversion, area, leakage). Implementations register under "dac" and "adc".

#include "sim/framework/cycles.h"
#include "sim/framework/params.h"

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

/// @brief How a DAC codes an input on its row.
enum class InputCoding {
  Amplitude,  ///< a voltage level, all rows at once for a fixed settle time
  Duration,   ///< a pulse of |code| LSB times (PWM); the array integrates for the longest pulse
  BitSerial   ///< one magnitude bit per phase (bits - 1 phases), results shifted and added
};

/// @brief Drives array rows. Inputs are normalized to [-1, 1] by noise management first.
class Dac {
 public:
  static constexpr const char* kInterface = "dac";
  virtual ~Dac() = default;
  /// @brief The input value the DAC applies for normalized input @p x (quantized, clipped).
  virtual float convert(float x) const = 0;
  virtual int bits() const = 0;
  /// @brief Input range: inputs beyond +-bound clip.
  virtual float bound() const = 0;
  /// @brief Quantization step in normalized input units.
  virtual float step() const = 0;
  const ConverterCost& cost() const { return m_cost; }
  InputCoding coding() const { return m_coding; }
  /// @brief Array reads per MVM: bits - 1 for bit-serial inputs (sign by polarity), else 1.
  int phases() const { return m_coding == InputCoding::BitSerial ? bits() - 1 : 1; }

 protected:
  ConverterCost m_cost;
  InputCoding m_coding = InputCoding::Amplitude;
};

/// @brief Digitizes column outputs, in normalized units (input in [-1,1] times weight/max|W|).
class Adc {
 public:
  static constexpr const char* kInterface = "adc";
  virtual ~Adc() = default;
  /// @brief The digital output for analog column value @p y (quantized, clipped).
  virtual float convert(float y) const = 0;
  virtual int bits() const = 0;
  /// @brief Output range: values beyond +-bound clip (and trigger bound management).
  virtual float bound() const = 0;
  /// @brief Quantization step in normalized output units.
  virtual float step() const = 0;
  /// @brief Standard deviation of the additive analog output noise before conversion, in
  /// normalized output units.
  virtual float out_noise() const = 0;
  /// @brief Columns sharing one ADC through a multiplexer is set by the core; this is per ADC.
  const ConverterCost& cost() const { return m_cost; }

 protected:
  ConverterCost m_cost;
};

/// @brief Step of a symmetric uniform quantizer over [-bound, bound] with 2^bits - 1 levels,
/// zero included: 2*bound / (2^bits - 2), as aihwkit's inp_res/out_res.
float quantizer_step(float bound, int bits);

/// @brief Rounds @p x to the nearest multiple of @p step (ties to even), then clips to +-bound.
float quantize_symmetric(float x, float bound, int bits);

}  // namespace pcmsim
