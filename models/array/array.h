#pragma once
// The crossbar array's geometry and cost (registered under "array"; implementations in impl/).

#include "sim/base/cycles.h"
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
  double area_um2() const { return m_area_um2; }
  double leakage_mw() const { return m_leakage_mw; }
  /// @brief Bit-line wire resistance per cell segment, in ohm (0: no IR drop).
  double r_wire_ohm() const { return m_r_wire_ohm; }
  /// @brief Read energy in pJ of a read basis @p basis_uS = sum over rows of the row's input
  /// weight (Dac::read_weight) times its devices' summed conductance, in uS, when one unit of
  /// input weight lasts @p unit_ns: the integration time for amplitude and bit-serial inputs,
  /// the pulse LSB for duration-coded ones.
  double read_energy_pj(double basis_uS, double unit_ns) const {
    // E = sum_ij V^2 w_i G_ij t: V^2 [V^2] * uS * 1e-6 * ns * 1e-9 = J; * 1e12 -> pJ.
    return m_v_read * m_v_read * basis_uS * unit_ns * 1e-3;
  }
  /// @brief Integration-time law: the cycles one read integrates its column currents (amplitude
  /// and bit-serial inputs; duration-coded inputs integrate for their pulses instead).
  Cycles integration_cycles(const Clock& clock) const { return clock.cycles_for_ns(m_t_int_ns); }

 protected:
  int m_rows = 0, m_cols = 0;
  double m_t_int_ns = 0, m_v_read = 0, m_area_um2 = 0, m_leakage_mw = 0, m_r_wire_ohm = 0;
};

}  // namespace pcmsim
