#include "sim/arch/tile.h"

#include "sim/arch/common/hierarchy.h"

namespace pcmsim {

Tile::Tile(sc_core::sc_module_name name, int index, Params& tp, TimeBase& tb, const CoreSetup& cs,
           int cores, const TechTable& tech, const PeripheralCost& output_register,
           StatGroup& parent, EnergyLedger& ledger)
    : sc_module(name), m_index(index), m_tb(tb) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  Params dp = tp.child("digital");
  m_digital = create_module<DigitalUnit>(dp, "digital");
  m_digital->attach(tb, tech, *m_stats, ledger);
  Params bp = tp.child("buffer");
  m_buffer = create_module<Buffer>(bp, "buffer", "registers");
  m_buffer->attach(tb, *m_stats, ledger);
  if (tp.has("bus")) {
    Params busp = tp.child("bus");
    m_bus = std::make_unique<TileBus>("bus", busp);
    m_bus->attach(tb, *m_stats, ledger);
  }
  for (int c = 0; c < cores; ++c) {
    const std::string n = "core" + std::to_string(c);
    m_cores.push_back(std::make_unique<Core>(n.c_str(), tb, cs, *m_stats, ledger));
  }
  s_out_bytes = &m_stats->counter("output_bytes", "B", "bytes leaving through its output register");
  const std::string path = m_stats->full_name();
  ledger.bind(path, "periphery", *s_out_bytes, output_register.energy_pj);
  ledger.area(path, "periphery", output_register.area_um2);
  ledger.leakage(path, output_register.leakage_mw);
}

Partition& Tile::add_partition(int step, uint64_t capacity, int inputs, int readers, int slots) {
  auto p = std::make_unique<Partition>(m_tb, capacity, inputs, readers, slots);
  return *(m_partitions[step] = std::move(p));
}

Partition* Tile::partition(int step) {
  auto it = m_partitions.find(step);
  return it == m_partitions.end() ? nullptr : it->second.get();
}

void Tile::add_accumulator(int step, int copy, std::unique_ptr<Assembler> a) {
  m_accumulators[{step, copy}] = std::move(a);
}

Assembler* Tile::accumulator(int step, int copy) {
  auto it = m_accumulators.find({step, copy});
  return it == m_accumulators.end() ? nullptr : it->second.get();
}

Cycles Tile::store(const Message& m, uint64_t bytes, sc_core::sc_event& wake) {
  // Input rows are written into the input buffer; partial sums land in the accumulator's
  // registers.
  if (m.payload == Payload::Rows)
    return m_buffer->write(bytes, requester_id(kReceive, 0, 0), m.tag, wake);
  return m_tb.now();
}

void Tile::received(const Message& m) {
  if (m.payload == Payload::Rows) {
    m_partitions.at(m.step)->arrived(m.slot, m.input, m.index, m.bytes);
  } else if (m.payload == Payload::Psums) {
    m_accumulators.at({m.step, m.copy})->contribute(m.src);
  }
}

}  // namespace pcmsim
