#include "sim/arch/tile_bus.h"

#include "sim/arch/common/hierarchy.h"

namespace pcmsim {

TileBus::TileBus(sc_core::sc_module_name name, Params& p) : sc_module(name) {
  const std::string impl =
      p.get<std::string>("impl").desc("implementation of the tile bus").choices({"bus"}).def("bus");
  (void)impl;
  m_width =
      p.get<int64_t>("width").desc("bytes moved per cycle").unit("B").range(1, 1 << 20).def(32);
  m_latency = Cycles(uint64_t(p.get<int>("latency")
                                  .desc("cycles from last byte sent to arrival")
                                  .unit("cycles")
                                  .range(0, 1000000)
                                  .def(2)));
  // As the chip's bus: 0.1 pJ/bit/mm (Horowitz, ISSCC 2014) over an assumed 2 mm.
  m_pj = p.get<double>("energy_per_byte")
             .desc("energy to move one byte")
             .unit("pJ")
             .range(0.0, 1e6)
             .def(1.6);
  m_area_um2 =
      p.get<double>("area").desc("area of wires and arbiter").unit("um2").range(0.0, 1e12).def(0.0);
  m_leakage_mw = p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(0.0);
  m_policy = parse_policy(p.get<std::string>("arbitration")
                              .desc("order in which waiting vectors get the bus")
                              .choices({"oldest_first", "round_robin"})
                              .def("round_robin"));
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
  ledger.bind(path, "interconnect", *s_bytes, m_pj);
  ledger.leakage(path, m_leakage_mw);
  ledger.area(path, "interconnect", m_area_um2);
}

void TileBus::carry(uint64_t bytes, uint64_t requester, int tag, sc_core::sc_event& wake) {
  if (bytes == 0) return;
  m_arb->serve(requester, Cycles(ceil_div(bytes, uint64_t(m_width))), m_latency, tag, wake);
  s_bytes->add(bytes, tag);
}

}  // namespace pcmsim
