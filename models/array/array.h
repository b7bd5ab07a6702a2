#pragma once
// The crossbar array's geometry and cost (registered under "array"; implementations in impl/).

#include "sim/base/params.h"

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
  /// @brief Bit-line wire resistance per cell segment, in ohm (0: no IR drop).
  double r_wire_ohm() const { return m_r_wire_ohm; }
  /// @brief Read energy in pJ for a summed input-squared-times-conductance of @p x2g_uS.
  double read_energy_pj(double x2g_uS) const {
    // E = sum_ij (x_i V)^2 G_ij t: V^2 [V^2] * uS * 1e-6 * ns * 1e-9 = J; * 1e12 -> pJ.
    return m_v_read * m_v_read * x2g_uS * m_t_int_ns * 1e-3;
  }

 protected:
  int m_rows = 0, m_cols = 0;
  double m_t_int_ns = 0, m_v_read = 0, m_area_um2 = 0, m_leakage_mw = 0, m_r_wire_ohm = 0;
};

}  // namespace pcmsim
