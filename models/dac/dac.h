#pragma once
// The DAC interface: numerics (quantization, bounds), input coding and cost. Implementations
// in impl/ register under "dac".

#include "models/common/converter.h"
#include "sim/base/params.h"

namespace pcmsim {

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

}  // namespace pcmsim
