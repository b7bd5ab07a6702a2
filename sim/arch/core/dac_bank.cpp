#include "sim/arch/core/dac_bank.h"

#include <string>

namespace pcmsim {

namespace {
/// Input-register energy per DAC conversion: its code read out of the register, 1 bit per read
/// for bit-serial inputs, the DAC's bits otherwise.
double input_register_pj(const CoreSetup& s) {
  const int bits = s.dac->coding() == InputCoding::BitSerial ? 1 : s.dac->bits();
  return s.periphery.input_register.energy_pj * double(bits) / 8.0;
}
}  // namespace

DacBank::DacBank(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
                 EnergyLedger& ledger)
    : sc_module(name), m_dac(*s.dac) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_conv =
      &m_stats->counter("conversions", "conversions", "row inputs driven (one per row per read)");
  const std::string path = m_stats->full_name();
  const int rows = s.array->rows();
  ledger.bind(path, "dac", *s_conv, m_dac.cost().energy_pj);
  ledger.bind(path, "periphery", *s_conv, input_register_pj(s));
  ledger.area(path, "dac", m_dac.cost().area_um2 * rows);
  ledger.area(path, "periphery", s.periphery.input_register.area_um2);
  ledger.leakage(path, m_dac.cost().leakage_mw * rows + s.periphery.input_register.leakage_mw);
}

}  // namespace pcmsim
