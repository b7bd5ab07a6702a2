#pragma once
// The ADC interface: numerics (quantization, bounds, output noise) and cost. Implementations in
// impl/ register under "adc".

#include <cstdint>

#include "models/common/converter.h"
#include "sim/base/params.h"

namespace pcmsim {

/// @brief Conversion rounds of a read of @p cols columns on a bank of @p adcs ADCs, the columns
/// interleaved (ADC a converts columns a, a + adcs, ...): ceil(cols / adcs).
inline int conversion_rounds(int cols, int adcs) { return (cols + adcs - 1) / adcs; }

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
  /// @brief The largest magnitude code, 2^(bits-1) - 1.
  uint32_t max_code() const { return (uint32_t(1) << (bits() - 1)) - 1; }
  /// @brief Conversion-time law: cycles one conversion takes whose output has magnitude code
  /// @p code: `latency`, plus code x `lsb_time` rounded up for value-dependent converters (ramp,
  /// CCO). A round of an ADC bank (all its ADCs converting at once) lasts as long as its largest
  /// code's conversion.
  virtual Cycles conversion_cycles(uint32_t code, const Clock& clock) const;
  /// @brief Whether the ADC converts while the array integrates (a CCO counting the column
  /// current): it then needs one ADC per column and adds only its latency after the read.
  virtual bool integrating() const { return false; }
  /// @brief Whether conversion time depends on the code (the numerics then record the codes).
  virtual bool value_dependent() const { return m_cost.ns_per_lsb > 0; }

 protected:
  ConverterCost m_cost;
};

}  // namespace pcmsim
