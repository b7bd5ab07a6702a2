#pragma once
// A tile's digital unit (registered under "digital"): partial-sum accumulation, bias, activation
// functions, pooling, residual adds, softmax. A SystemC module that serves jobs of element
// operations one at a time, in its policy's order; each job takes ceil(ops / lanes) cycles of
// its pipeline and is done `latency` cycles later. It counts its operations by kind and charges
// them at its datapath precision's row of the technology table.

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>

#include "models/tech/tech_table.h"
#include "sim/arch/common/timebase.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

class DigitalUnit : public sc_core::sc_module {
 public:
  static constexpr const char* kInterface = "digital";
  /// @brief Takes its energy per operation from @p tech at its precision (unless configured
  /// otherwise); creates its stats under @p parent with its costs.
  virtual void attach(TimeBase& tb, const TechTable& tech, StatGroup& parent,
                      EnergyLedger& ledger) = 0;
  /// @brief From a thread: runs @p ops for step @p tag on behalf of @p requester (a stable id
  /// for arbitration); returns when the results are out. Returns the cycles the job waited for
  /// the unit.
  virtual uint64_t execute(const OpCounts& ops, uint64_t requester, int tag,
                           sc_core::sc_event& wake) = 0;
  /// @brief Energy of one operation of each kind, in pJ.
  virtual const OpEnergies& energies() const = 0;
  /// @brief Power in mW with every lane adding each cycle, static power included.
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles it was busy, for utilization.
  virtual uint64_t busy_cycles() const = 0;
  /// @brief Its busy cycles, attributed to the steps its jobs were for.
  virtual const Counter& busy_counter() const = 0;
  StatGroup& stats() { return *m_stats; }

 protected:
  DigitalUnit() = default;
  std::unique_ptr<StatGroup> m_stats;
};

}  // namespace pcmsim
