#pragma once
// A core's DAC bank: drives a read's inputs onto the rows. Its timing law is the DAC model's
// drive time (Dac::drive_cycles: settling, plus the longest pulse for duration coding); it counts
// one conversion per row per read and the input register's reads of the codes.

#include <cstdint>
#include <memory>
#include <systemc>

#include "sim/arch/core/core_setup.h"
#include "sim/base/cycles.h"
#include "sim/base/energy.h"
#include "sim/base/stats.h"

namespace pcmsim {

class DacBank : public sc_core::sc_module {
 public:
  DacBank(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
          EnergyLedger& ledger);
  /// @brief Cycles to drive one read whose largest input code is @p code.
  Cycles drive(uint32_t code, const Clock& clock) const { return m_dac.drive_cycles(code, clock); }
  void count(uint64_t conversions, int tag) { s_conv->add(conversions, tag); }

 private:
  const Dac& m_dac;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_conv;
};

}  // namespace pcmsim
