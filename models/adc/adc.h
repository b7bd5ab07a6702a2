#pragma once
// The ADC interface: numerics (quantization, bounds, output noise) and cost. Implementations in
// impl/ register under "adc".

#include "models/common/converter.h"
#include "sim/base/params.h"

namespace pcmsim {

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

}  // namespace pcmsim
