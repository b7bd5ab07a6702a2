#pragma once
// The crossbar array: its cost model (registered under "array") and the numerics of one
// programmed array block (differential conductance pairs, analog MVM through DAC and ADC).

#include <cstdint>
#include <vector>

#include "models/circuits/converters.h"
#include "models/common/rng.h"
#include "models/device/device_model.h"
#include "sim/framework/cycles.h"
#include "sim/framework/params.h"

namespace pcmsim {

/// @brief Geometry and cost of one crossbar array.
class ArrayModel {
 public:
  static constexpr const char* kInterface = "array";
  virtual ~ArrayModel() = default;
  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  /// @brief Integration (read) time of one MVM, in ns.
  double t_int_ns() const { return m_t_int_ns; }
  /// @brief Read voltage at full-scale input, in V.
  double v_read() const { return m_v_read; }
  double area_um2() const { return m_area_um2; }
  double leakage_mw() const { return m_leakage_mw; }
  /// @brief Read energy in pJ for a summed input-squared-times-conductance of @p x2g_uS.
  double read_energy_pj(double x2g_uS) const {
    // E = sum_ij (x_i V)^2 G_ij t: V^2 [V^2] * uS * 1e-6 * ns * 1e-9 = J; * 1e12 -> pJ.
    return m_v_read * m_v_read * x2g_uS * m_t_int_ns * 1e-3;
  }

 protected:
  int m_rows = 0, m_cols = 0;
  double m_t_int_ns = 0, m_v_read = 0, m_area_um2 = 0, m_leakage_mw = 0;
};

/// @brief Peripheral settings an MVM runs with.
struct MvmNumerics {
  const Dac* dac = nullptr;
  const Adc* adc = nullptr;
  bool ideal = false;  ///< no quantization and exact devices: reproduces FP32
};

/// @brief One block of a weight matrix programmed onto one array: rows = inputs, cols = outputs.
/// Weights map to differential pairs: scale = g_max / max|W|, G+ = clamp(W*scale, 0, g_max),
/// G- = clamp(-W*scale, 0, g_max).
class ProgrammedArray {
 public:
  /// @param w  row-major rows x cols block of the layer's weight matrix (input x output)
  /// @param rng  draw stream for programming noise, keyed by (layer, array)
  ProgrammedArray(const float* w, int rows, int cols, const DeviceModel& device,
                  const RngStream& rng, bool ideal);
  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  float w_max() const { return m_w_max; }

  /// @brief One analog MVM: abs-max noise management, DAC, array, ADC, rescale to weight units.
  /// @param x  @p rows inputs;  @param y  @p cols outputs (written)
  /// @return sum_i x_dac_i^2 * sum_j (G+_ij + G-_ij), in uS, for the read-energy model
  double mvm(const float* x, float* y, const MvmNumerics& num) const;

 private:
  int m_rows, m_cols;
  float m_w_max;
  std::vector<float> m_gdiff;         ///< (G+ - G-) / g_max, row-major rows x cols
  std::vector<float> m_gsum;          ///< per row: sum_j (G+ + G-), uS
  mutable std::vector<float> m_xq;    ///< scratch: DAC outputs
  mutable std::vector<double> m_acc;  ///< scratch: column sums
};

}  // namespace pcmsim
