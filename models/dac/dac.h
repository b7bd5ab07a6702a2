#pragma once
// The DAC interface: numerics (quantization, bounds), input coding and cost. Implementations
// in impl/ register under "dac".

#include <cstddef>
#include <cstdint>

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
  /// @brief out[i] = convert(x[i] × scale) for i < n (implementations may vectorize it).
  virtual void convert_n(const float* x, float scale, float* out, size_t n) const;
  virtual int bits() const = 0;
  /// @brief Input range: inputs beyond +-bound clip.
  virtual float bound() const = 0;
  /// @brief Quantization step in normalized input units.
  virtual float step() const = 0;
  const ConverterCost& cost() const { return m_cost; }
  InputCoding coding() const { return m_coding; }
  /// @brief Array reads per MVM: bits - 1 for bit-serial inputs (sign by polarity), else 1.
  int phases() const { return m_coding == InputCoding::BitSerial ? bits() - 1 : 1; }
  /// @brief The largest magnitude code, 2^(bits-1) - 1.
  uint32_t max_code() const { return (uint32_t(1) << (bits() - 1)) - 1; }
  /// @brief The magnitude code of an applied input @p xq (|xq| / step, at most max_code()).
  uint32_t code_of(float xq) const;

  /// @brief Drive-time law: cycles from the start of a read until its inputs are applied and,
  /// for duration coding, their pulses are over: `latency` (settle) plus, for duration coding,
  /// @p max_code LSB pulses of `lsb_time` (rounded up to whole cycles once). The array's own
  /// integration time comes on top for amplitude and bit-serial inputs.
  virtual Cycles drive_cycles(uint32_t max_code, const Clock& clock) const;
  /// @brief Weight of one row's applied input @p xq in a read's energy basis (see
  /// ArrayModel::read_energy_pj): amplitude coding xq^2 (the row at xq x V_read for the
  /// integration time); duration coding |code| (V_read for |code| pulse LSBs); bit-serial
  /// popcount(|code|) (V_read for the integration time in each read whose bit is set).
  virtual double read_weight(float xq) const;
  /// @brief Whether drive time depends on the codes (duration coding).
  bool value_dependent() const { return m_coding == InputCoding::Duration; }

 protected:
  ConverterCost m_cost;
  InputCoding m_coding = InputCoding::Amplitude;
};

}  // namespace pcmsim
