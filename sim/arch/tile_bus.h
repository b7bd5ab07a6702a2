#pragma once
// A tile's bus from its input buffer to its cores' input registers (ISAAC's eDRAM-to-IMA bus):
// one vector at a time, `width` bytes per cycle, arriving `latency` cycles after the last byte;
// waiting vectors take it in its policy's order.

#include <memory>
#include <systemc>
#include <vector>

#include "sim/arch/common/arbiter.h"
#include "sim/arch/common/timebase.h"
#include "sim/arch/common/wire.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

class TileBus : public sc_core::sc_module {
 public:
  TileBus(sc_core::sc_module_name name, Params& p);
  void attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger);
  /// @brief From a thread: carries @p bytes for step @p tag; returns when they have arrived.
  void carry(uint64_t bytes, uint64_t requester, int tag, sc_core::sc_event& wake);
  double peak_mw(double ghz) const { return m_wire.peak_mw(ghz); }
  uint64_t busy_cycles() const { return m_arb ? m_arb->core().busy()[0] : 0; }

 private:
  Wire m_wire;
  Policy m_policy;
  std::unique_ptr<Arbiter> m_arb;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_bytes = nullptr;
};

}  // namespace pcmsim
