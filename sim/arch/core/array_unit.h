#pragma once
// A core's crossbar array as hardware: its integration time (ArrayModel::integration_cycles,
// none with duration-coded inputs, whose pulses integrate), its reads and their read-energy basis
// (Σ over rows of the input's weight × the row's conductance; see ArrayModel::read_energy_pj).
// The array's values are the ProgrammedArray's, computed when an image is admitted.

#include <cstdint>
#include <memory>
#include <systemc>

#include "sim/arch/core/core_setup.h"
#include "sim/base/cycles.h"
#include "sim/base/energy.h"
#include "sim/base/stats.h"

namespace pcmsim {

class ArrayUnit : public sc_core::sc_module {
 public:
  ArrayUnit(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
            EnergyLedger& ledger);
  /// @brief Cycles a read integrates (0 with duration-coded inputs, whose pulses integrate).
  Cycles integrate(const Clock& clock) const {
    return m_integrate ? m_array.integration_cycles(clock) : Cycles(0);
  }
  void count(uint64_t reads, double basis, int tag) {
    s_reads->add(reads, tag);
    s_basis->add(basis, tag);
  }

 private:
  const ArrayModel& m_array;
  bool m_integrate;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_reads;
  Accumulator* s_basis;
};

}  // namespace pcmsim
