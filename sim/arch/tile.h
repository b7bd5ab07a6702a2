#pragma once
// A tile: its analog cores, its digital unit, its input buffer (registers sized for its steps,
// or an SRAM) and, where configured, a tile bus from the buffer to the cores; it is the
// endpoint of the interconnect that the rows of its steps' inputs and the partial sums of the
// copies it is home to arrive at. The step engines a schedule gives it (partitions of the input
// buffer, copy engines, combiners, accumulators, digital steps) are created at load, below it.

#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "models/tech/tech_table.h"
#include "sim/arch/chip_settings.h"
#include "sim/arch/core/core.h"
#include "sim/arch/digital/digital_unit.h"
#include "sim/arch/engines/analog_step.h"
#include "sim/arch/engines/partition.h"
#include "sim/arch/memory/buffer.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/arch/tile_bus.h"

namespace pcmsim {

class Tile : public sc_core::sc_module, public Endpoint {
 public:
  /// @brief Builds tile @p index from `chip.tile` (@p tp): @p cores cores of @p cs, its digital
  /// unit, input buffer and bus; its stats under @p parent with their costs.
  Tile(sc_core::sc_module_name name, int index, Params& tp, TimeBase& tb, const CoreSetup& cs,
       int cores, const TechTable& tech, const PeripheralCost& output_register, StatGroup& parent,
       EnergyLedger& ledger);
  int index() const { return m_index; }
  TimeBase& tb() { return m_tb; }
  DigitalUnit& digital() { return *m_digital; }
  Buffer& buffer() { return *m_buffer; }
  TileBus* bus() { return m_bus.get(); }
  Core& core(int c) { return *m_cores[size_t(c)]; }
  int cores() const { return int(m_cores.size()); }
  StatGroup& stats() { return *m_stats; }
  const DigitalUnit& digital() const { return *m_digital; }
  const Buffer& buffer() const { return *m_buffer; }
  const TileBus* bus() const { return m_bus.get(); }

  /// @brief The input-buffer partition of step @p step, created with @p capacity bytes.
  Partition& add_partition(int step, uint64_t capacity, int inputs, int readers, int slots);
  Partition* partition(int step);
  void add_accumulator(int step, int copy, std::unique_ptr<Assembler> a);
  Assembler* accumulator(int step, int copy);
  /// @brief Keeps a step engine (a module created below this tile) for the chip's lifetime.
  void keep(std::unique_ptr<sc_core::sc_module> m) { m_engines.push_back(std::move(m)); }
  /// @brief Bytes leaving the tile through its output register (its NI's send queue).
  void count_out(uint64_t bytes, int tag) { s_out_bytes->add(bytes, tag); }

  Cycles store(const Message& m, uint64_t bytes, sc_core::sc_event& wake) override;
  void received(const Message& m) override;

 private:
  int m_index;
  TimeBase& m_tb;
  std::unique_ptr<StatGroup> m_stats;
  std::unique_ptr<DigitalUnit> m_digital;
  std::unique_ptr<Buffer> m_buffer;
  std::unique_ptr<TileBus> m_bus;
  std::vector<std::unique_ptr<Core>> m_cores;
  std::map<int, std::unique_ptr<Partition>> m_partitions;
  std::map<std::pair<int, int>, std::unique_ptr<Assembler>> m_accumulators;
  std::vector<std::unique_ptr<sc_core::sc_module>> m_engines;
  Counter* s_out_bytes = nullptr;
};

}  // namespace pcmsim
