#pragma once
// The SystemC chip (first cut): tiles of analog cores (crossbar array + DAC bank + ADC bank
// with columns multiplexed onto ADCs), a digital unit per tile, a shared interconnect, a global
// buffer and an off-chip I/O port. Images run one after another, layer by layer.
//
// Event-driven: each core and tile is an SC_THREAD that sleeps until work arrives and then
// waits exactly the cycles its operation takes; nothing runs while idle. The MVM values are
// computed through the programmed array when a core's ADC phase ends (the commit point).

#include <functional>
#include <memory>
#include <systemc>
#include <vector>

#include "models/circuits/converters.h"
#include "models/circuits/crossbar.h"
#include "models/device/device_model.h"
#include "sim/framework/cycles.h"
#include "sim/framework/energy.h"
#include "sim/framework/params.h"
#include "sim/framework/stats.h"
#include "sim/hw/analog_network.h"
#include "sim/hw/chip_settings.h"
#include "sim/hw/components.h"
#include "workloads/mapper.h"
#include "workloads/network.h"

namespace pcmsim {

class Chip;
class TileModule;

/// @brief Action counters of one mapped layer, summed over all images.
struct LayerCounters {
  std::unique_ptr<StatGroup> group;
  Counter* mvms;
  Counter* dac_conversions;
  Counter* adc_conversions;
  Accumulator* x2g;
  Counter* bus_bytes;
  Counter* buffer_read_bytes;
  Counter* buffer_write_bytes;
  Counter* digital_ops;
  Counter* cycles;
  Counter* bm_repeats;
};

/// @brief One analog core: array, DAC bank (one DAC per row), ADC bank shared by the columns.
class CoreModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CoreModule);
  CoreModule(sc_core::sc_module_name name, Chip& chip, TileModule& tile,
             const std::string& stat_name, StatGroup& parent);
  const StatGroup& stats() const { return m_stats; }
  /// Array-block index b to run one MVM on, or -(b + 1) to run block b's drift-compensation reads.
  sc_core::sc_fifo<int> jobs;
  /// @brief Cycles of one MVM of @p cols columns: DAC settle + integration + ADC conversions.
  Cycles mvm_cycles(int cols) const;

 private:
  void run();
  Chip& m_chip;
  TileModule& m_tile;
  StatGroup m_stats;
  Counter& s_mvms;
  Counter& s_bm;
  Counter& s_dac;
  Counter& s_adc;
  Accumulator& s_x2g;
  Counter& s_busy;
};

/// @brief A tile: its cores and digital unit; receives layer inputs and sends partial sums.
class TileModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(TileModule);
  TileModule(sc_core::sc_module_name name, Chip& chip, int index, Params& p,
             const std::string& stat_name, StatGroup& parent);
  sc_core::sc_fifo<int> jobs;  ///< layer indices to work on
  void core_done();
  DigitalUnit& digital() { return *m_digital; }
  StatGroup& stats() { return m_stats; }
  std::vector<std::unique_ptr<CoreModule>>& cores() { return m_cores; }

 private:
  void run();
  Chip& m_chip;
  int m_index;
  StatGroup m_stats;
  std::unique_ptr<DigitalUnit> m_digital;
  std::vector<std::unique_ptr<CoreModule>> m_cores;
  int m_pending = 0;
  sc_core::sc_event m_cores_done;
};

class Chip : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Chip);
  /// @brief Builds the chip from its config map (`chip:`); @p ideal bypasses quantization and
  /// device noise (timing and energy unchanged).
  Chip(sc_core::sc_module_name name, Params p, bool ideal, EnergyLedger& ledger);
  ~Chip() override;

  ChipShape shape() const;
  const Clock& clock() const { return m_clock; }
  const std::string& preset_name() const { return m_name; }

  /// @brief Peripheral numerics of the cores, to build the AnalogNetwork with.
  const MvmNumerics& numerics() const { return m_numerics; }
  const DeviceModel& device() const { return *m_device; }
  /// @brief How weights spread over arrays (levels per weight block).
  const WeightEncoding& encoding() const { return m_encoding; }

  /// @brief The mapped network, programmed and prepared in @p analog; call before sc_start.
  /// Checks that the global buffer holds every layer's input and output.
  void load(const Network& net, AnalogNetwork& analog, StatGroup& layer_stats,
            EnergyLedger& layer_ledger);

  using OutputFn = std::function<void(int64_t image, const std::vector<float>& logits)>;
  /// @brief The images the controller streams through the chip.
  void set_inputs(const float* images, int64_t count, int64_t sample_size, OutputFn on_output);

  // Results, valid after sc_start returns.
  Cycles total_cycles() const { return m_total; }
  Cycles first_latency() const { return m_first_latency; }
  Cycles min_latency() const { return m_min_latency; }
  Cycles max_latency() const { return m_max_latency; }
  int64_t images_done() const { return m_done; }
  StatGroup& stats() { return m_stats; }
  const std::vector<LayerCounters>& layer_counters() const { return m_layers; }

  // Used by the tile and core threads.
  Cycles now() const;
  void wait_until(Cycles t);
  void wait_cycles(Cycles n) { wait_until(now() + n); }
  const Mapping& mapping() const { return m_analog->mapping(); }
  AnalogNetwork& analog() { return *m_analog; }
  int64_t current_image() const { return m_image; }
  const float* layer_input() const { return m_act.data(); }
  LayerCounters& compensation_counters() { return m_comp; }
  const LayerCounters& compensation_counters() const { return m_comp; }
  Cycles compensation_cycles() const { return m_comp_cycles; }
  void core_done();
  const Dac& dac() const { return *m_dac; }
  const Adc& adc() const { return *m_adc; }
  const ArrayModel& array_model() const { return *m_array; }
  int adcs_per_array() const { return m_adcs; }
  int act_bytes() const { return m_act_bytes; }
  int psum_bytes() const { return m_psum_bytes; }
  Interconnect& bus() { return *m_bus; }
  LayerCounters& layer(int i) { return m_layers[i]; }
  void tile_done();
  TileModule& tile(int i) { return *m_tiles[i]; }

 private:
  void controller();
  void compensation_phase();
  LayerCounters make_counters(const std::string& name, StatGroup& parent, EnergyLedger& ledger);

  std::string m_name;
  Clock m_clock;
  sc_core::sc_time m_period;
  int m_tiles_n, m_cores_n, m_adcs, m_act_bytes, m_psum_bytes;
  StatGroup m_stats;
  std::unique_ptr<DeviceModel> m_device;
  std::unique_ptr<Dac> m_dac;
  std::unique_ptr<Adc> m_adc;
  std::unique_ptr<ArrayModel> m_array;
  std::unique_ptr<Interconnect> m_bus;
  std::unique_ptr<Interconnect> m_io;
  std::unique_ptr<Buffer> m_gbuf;
  std::vector<std::unique_ptr<TileModule>> m_tiles;
  MvmNumerics m_numerics;
  WeightEncoding m_encoding;

  const Network* m_net = nullptr;
  AnalogNetwork* m_analog = nullptr;
  std::vector<LayerCounters> m_layers;
  LayerCounters m_comp;
  Cycles m_comp_cycles;
  int m_pending_cores = 0;
  sc_core::sc_event m_cores_done;

  const float* m_images = nullptr;
  int64_t m_count = 0, m_sample = 0, m_done = 0;
  OutputFn m_on_output;
  std::vector<float> m_act;
  int64_t m_image = 0;
  int m_pending_tiles = 0;
  sc_core::sc_event m_tiles_done;
  Cycles m_total, m_first_latency, m_min_latency, m_max_latency;
  Counter* s_images = nullptr;
};

}  // namespace pcmsim
