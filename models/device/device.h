#pragma once
// Device models: what a PCM (or other) device holds after it is programmed to a target
// conductance, and what a read returns at a time after programming. Programming happens once
// (per seed); reads at several times reuse the programmed devices and their drift exponents.
// Implementations register under the interface "device".

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/base/params.h"
#include "sim/base/rng.h"

namespace pcmsim {

/// @brief The state of a set of programmed devices.
struct DeviceState {
  std::vector<float> g_prog_uS;  ///< conductance right after programming
  std::vector<float> nu;         ///< drift exponent per device; empty if the model has no drift
};

/// @brief Identifies the devices of one array block for keyed random draws.
struct DrawKey {
  uint64_t seed = 0;
  uint32_t layer = 0;
  uint32_t block = 0;
  RngStream stream(DrawKind kind) const { return RngStream(seed, kind, layer, block); }
};

/// @brief What a device model may know about the weights it programs.
struct ProgramContext {
  DrawKey key;
  double uS_per_weight = 1.0;  ///< conductance per unit weight in this array (g_max / full scale)
  double block_w_max = 0.0;    ///< max |W| of the weight block (all levels); 0: this array's
  double layer_w_max = 0.0;    ///< max |W| over the whole layer
  double layer_w_std = 0.0;    ///< standard deviation of the layer's weights
};

class DeviceModel {
 public:
  static constexpr const char* kInterface = "device";
  virtual ~DeviceModel() = default;

  /// @brief Largest programmable conductance, in microsiemens.
  virtual double g_max_uS() const = 0;
  /// @brief Programs @p n devices to @p target_uS (each in [0, g_max]); device i uses draw i of
  /// each stream of @p ctx.key.
  virtual void program(const float* target_uS, size_t n, const ProgramContext& ctx,
                       DeviceState& out) const = 0;
  /// @brief Conductances read @p t_s seconds after programming; @p key keys the read noise.
  virtual void read(const DeviceState& s, double t_s, const DrawKey& key, float* out_uS) const = 0;
  /// @brief Whether every read returns the target exactly (no noise, no drift).
  virtual bool exact() const = 0;
};

/// @brief Reads `g_max` (the largest conductance, default 25 uS) from a device's parameters.
double read_g_max(Params& p);

/// @brief Derives an independent seed from @p seed and two indices (e.g. repeat and time point).
uint64_t derive_seed(uint64_t seed, uint32_t a, uint32_t b);

}  // namespace pcmsim
