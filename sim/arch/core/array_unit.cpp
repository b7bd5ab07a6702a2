#include "sim/arch/core/array_unit.h"

#include <string>

namespace pcmsim {

ArrayUnit::ArrayUnit(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
                     EnergyLedger& ledger)
    : sc_module(name), m_array(*s.array), m_integrate(s.dac->coding() != InputCoding::Duration) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_reads = &m_stats->counter("reads", "reads", "array reads (every pass, phase and input bit)");
  const bool duration = s.dac->coding() == InputCoding::Duration;
  s_basis = &m_stats->accumulator(
      "read_basis", duration ? "uS x LSB" : "uS",
      duration ? "sum over reads and rows of |input code| x the row's conductance (read energy)"
      : s.dac->coding() == InputCoding::BitSerial
          ? "sum over reads and rows of the set input bits x the row's conductance"
          : "sum over reads and rows of input^2 x the row's conductance (read energy)");
  // The basis is in units of one integration time (amplitude, bit-serial) or one pulse LSB.
  const double unit_ns = duration ? s.dac->cost().ns_per_lsb : m_array.t_int_ns();
  const std::string path = m_stats->full_name();
  ledger.bind(path, "array", *s_basis, m_array.read_energy_pj(1.0, unit_ns));
  ledger.area(path, "array", m_array.area_um2());
  ledger.leakage(path, m_array.leakage_mw());
}

}  // namespace pcmsim
