#pragma once
// The SystemC chip: tiles of analog cores (crossbar array + DAC bank + ADC bank with columns
// multiplexed onto ADCs), a digital unit per tile, a shared interconnect, a global buffer and an
// off-chip I/O port. It runs a mapped graph one image after another, one step after another: an
// analog step is one Conv/Dense node (one MVM per output pixel on each of its arrays) with the
// element-wise nodes that follow it applied as its outputs are assembled; a digital step is any
// other node on a tile's digital unit.
//
// Timing (see docs/architecture.md): shared resources (interconnect, global buffer, I/O) are
// arbitrated in simulated time by the threads that use them; a resource private to one tile
// (its cores, its digital unit) keeps its own calendar, so a tile computes the cycles of a
// whole stream of MVMs without one kernel event per MVM (temporal decoupling). Values are
// computed when a step is issued (GraphAnalogNetwork); bound-management repeats the values
// cause lengthen the MVMs that had them.

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
#include "sim/hw/chip_settings.h"
#include "sim/hw/components.h"
#include "sim/hw/graph_network.h"
#include "workloads/graph.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

class Chip;

/// @brief Action counters of one step, summed over all images.
struct LayerCounters {
  std::unique_ptr<StatGroup> group;
  Counter* mvms;
  Counter* dac_conversions;
  Counter* adc_conversions;
  Accumulator* x2g;
  Counter* bus_bytes;
  Counter* bus_actions;
  Counter* buffer_read_bytes;
  Counter* buffer_write_bytes;
  Counter* digital_ops;
  Counter* cycles;
  Counter* bm_repeats;
};

/// @brief One step of the schedule: an analog layer with the element-wise nodes fused after it,
/// or one digital node (with those fused after it).
struct Step {
  std::string name;
  int layer = -1;                        ///< analog layer, or -1 for a digital step
  int node = -1;                         ///< its main node
  std::vector<int> nodes;                ///< graph nodes it runs, in order (views included)
  int tile = 0;                          ///< digital step: the tile whose unit runs it
  uint64_t ops = 0;                      ///< digital step: element operations of the main node
  uint64_t fused_ops = 0;                ///< element operations of the fused nodes (and the bias)
  std::vector<uint64_t> copy_ops;        ///< analog step: home-tile ops per output pixel, per copy
  uint64_t in_bytes = 0, out_bytes = 0;  ///< read from / written to the global buffer
  std::vector<int> release;              ///< values no later step reads
};

/// @brief One analog core: array, DAC bank (one DAC per row), ADC bank shared by the columns.
/// Its time is kept by its tile's calendar; it holds its stats.
class CoreModule {
  StatGroup m_stats;  // first: the counters below live in it

 public:
  CoreModule(const std::string& stat_name, StatGroup& parent);
  StatGroup& stats() { return m_stats; }
  Counter& s_mvms;
  Counter& s_bm;
  Counter& s_dac;
  Counter& s_adc;
  Accumulator& s_x2g;
  Counter& s_busy;
};

/// @brief A tile: its cores and digital unit; receives a layer's input, runs its arrays' MVM
/// streams, accumulates and sends the partial sums of the outputs it does not assemble.
class TileModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(TileModule);
  TileModule(sc_core::sc_module_name name, Chip& chip, int index, Params& p,
             const std::string& stat_name, StatGroup& parent);
  sc_core::sc_fifo<int> jobs;  ///< steps to work on
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

  /// @brief Peripheral numerics of the cores, to build the GraphAnalogNetwork with.
  const MvmNumerics& numerics() const { return m_numerics; }
  const DeviceModel& device() const { return *m_device; }
  /// @brief How weights spread over arrays (levels per weight block).
  const WeightEncoding& encoding() const { return m_encoding; }

  /// @brief The mapped graph, programmed and prepared in @p analog; call before sc_start.
  /// Builds the schedule and checks that the global buffer holds the values live at each step.
  void load(GraphAnalogNetwork& analog, StatGroup& layer_stats, EnergyLedger& layer_ledger);

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
  const std::vector<Step>& steps() const { return m_steps; }
  /// @brief Counters of step i (steps()).
  const std::vector<LayerCounters>& layer_counters() const { return m_layers; }
  const LayerCounters& compensation_counters() const { return m_comp; }
  Cycles compensation_cycles() const { return m_comp_cycles; }
  /// @brief Peak bytes of values live in the global buffer at one step.
  uint64_t peak_buffer_bytes() const { return m_peak_live; }

  // Used by the tiles.
  Cycles now() const;
  void wait_until(Cycles t);
  /// @brief Cycles of one MVM pass of @p cols columns on zero codes: DAC settle + integration +
  /// ADC conversions (times the phases of bit-serial inputs).
  Cycles mvm_cycles(int cols) const { return mvm_cycles(cols, 1, 0, 0); }
  /// @brief Cycles of an array's MVM of @p cols columns: per pass DAC settle + integration (for
  /// duration-coded inputs, the longest pulse) + ADC rounds (ramp/CCO: plus the rounds' largest
  /// codes), all times the phases of bit-serial inputs; value-dependent parts rounded up once.
  Cycles mvm_cycles(int cols, uint64_t passes, uint64_t in_lsbs, uint64_t out_lsbs) const;
  TileModule& tile(int i) { return *m_tiles[size_t(i)]; }

 private:
  friend class TileModule;
  /// What one tile does in one analog step, per copy of the layer on it.
  struct TileWork {
    int tile = 0;
    uint64_t in_bytes = 0;
    struct Copy {
      int copy = 0;
      std::vector<int> local;     ///< positions in the layer's blocks
      uint64_t send_bytes = 0;    ///< partial sums per pixel (0 on the copy's home tile)
      uint64_t local_adds = 0;    ///< additions per pixel before sending
      uint64_t contribution = 0;  ///< partial-sum values per pixel it hands the home tile
    };
    std::vector<Copy> copies;
  };
  void controller();
  void compensation_phase();
  void build_schedule();
  void run_analog_step(int s);
  void run_digital_step(int s);
  void tile_step(int tile, int s);
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

  GraphAnalogNetwork* m_analog = nullptr;
  std::vector<Step> m_steps;
  std::vector<std::vector<TileWork>> m_work;  ///< per step: the tiles of its analog layer
  std::vector<LayerCounters> m_layers;
  LayerCounters m_comp;
  Cycles m_comp_cycles;
  uint64_t m_peak_live = 0;

  /// Bytes and energy actions of a transfer, charged to @p lc.
  Transfer charge(LayerCounters& lc, uint64_t bytes, const Transfer& t);

  // The analog step in flight: when its input has reached each tile; per copy and pixel, when its
  // last contribution is at the home tile; the tiles still working.
  std::vector<Cycles> m_in_done;
  std::vector<Cycles> m_ready;
  int m_pending_tiles = 0;
  sc_core::sc_event m_tiles_done;

  const float* m_images = nullptr;
  int64_t m_count = 0, m_sample = 0, m_done = 0;
  OutputFn m_on_output;
  Cycles m_total, m_first_latency, m_min_latency, m_max_latency;
  Counter* s_images = nullptr;
};

}  // namespace pcmsim
