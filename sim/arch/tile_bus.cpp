#include "sim/arch/tile_bus.h"

#include "sim/arch/common/hierarchy.h"

namespace pcmsim {

TileBus::TileBus(sc_core::sc_module_name name, Params& p) : sc_module(name) {
  const std::string impl =
      p.get<std::string>("impl").desc("implementation of the tile bus").choices({"bus"}).def("bus");
  (void)impl;
  // As the chip's bus: 0.1 pJ/bit/mm (Horowitz, ISSCC 2014) over an assumed 2 mm.
  m_wire = read_wire(p, Wire{32, Cycles(2), 1.6, 0.0, 0.0}, "wires and arbiter");
  m_policy = read_policy(p, "waiting vectors get the bus", Policy::RoundRobin);
}

void TileBus::attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger) {
  within(*this, [&] { m_arb = std::make_unique<Arbiter>("arbiter", tb, 1, m_policy); });
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_bytes = &m_stats->counter("bytes", "B", "bytes carried to the cores");
  m_stats->formula("busy_cycles", "cycles", "cycles the bus carried data",
                   [this] { return double(busy_cycles()); });
  m_stats->formula("wait_cycles", "cycles", "cycles vectors waited for the bus",
                   [this] { return double(m_arb->core().waited()); });
  const std::string path = m_stats->full_name();
  m_wire.bind(ledger, path, *s_bytes);
}

void TileBus::carry(uint64_t bytes, uint64_t requester, int tag, sc_core::sc_event& wake) {
  if (bytes == 0) return;
  m_arb->serve(requester, m_wire.busy(bytes), m_wire.latency, tag, wake);
  s_bytes->add(bytes, tag);
}

}  // namespace pcmsim
