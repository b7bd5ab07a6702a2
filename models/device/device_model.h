#pragma once
// Device models: what a PCM (or other) device holds after it is programmed to a target
// conductance. Implementations register under the interface "device".

#include <cstddef>

#include "models/common/rng.h"
#include "sim/framework/params.h"

namespace pcmsim {

class DeviceModel {
 public:
  static constexpr const char* kInterface = "device";
  virtual ~DeviceModel() = default;

  /// @brief Largest programmable conductance, in microsiemens.
  virtual double g_max_uS() const = 0;
  /// @brief Programs @p n devices to targets @p target_uS (each in [0, g_max]) and writes the
  /// conductances they hold to @p out_uS. Draw i uses @p rng at index i.
  virtual void program(const float* target_uS, float* out_uS, size_t n,
                       const RngStream& rng) const = 0;
  /// @brief Whether programming is exact (no random draws).
  virtual bool exact() const = 0;
};

}  // namespace pcmsim
