#pragma once
// The SystemC chip: tiles of analog cores with their digital units and input buffers, an
// interconnect (bus or mesh NoC at flit level), a global buffer holding the values between steps,
// and an off-chip port (a TLM-2.0 target). It runs a mapped network as the schedule's steps
// (sim/schedule): each step's feeder sends its inputs' rows from the global buffer to the tiles
// that run it, whose copy engines, cores, combiners and accumulators (or digital step) turn them
// into the step's outputs, stored back row by row. Every MVM, conversion, transfer, flit and
// digital job is an event in simulated time, every shared resource is arbitrated when its
// requests are present, and every buffer is finite (docs/architecture.md).
//
// The controller admits images (their values computed at admission by the functional numerics,
// whose codes drive the converters' times), reads each from the off-chip port into the global
// buffer, and a retire process writes each result back out. Without pipelining one step of one
// image runs at a time; with `pipeline.mode: layers` a step starts on the rows that have arrived
// and several images stream.

#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/adc/adc.h"
#include "models/array/array.h"
#include "models/dac/dac.h"
#include "models/device/device.h"
#include "sim/arch/chip_settings.h"
#include "sim/arch/engines/analog_step.h"
#include "sim/arch/engines/digital_step.h"
#include "sim/arch/engines/fabric.h"
#include "sim/arch/io/offchip.h"
#include "sim/arch/memory/buffer.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/arch/tile.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"
#include "sim/functional/graph_network.h"
#include "sim/schedule/schedule.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

/// @brief How the chip is built, beyond its config (scenario tests).
struct ChipOptions {
  bool reverse_tiles = false;  ///< create the tiles last to first (results must not change)
};

/// @brief One step's figures, summed over the images.
struct StepFigures {
  uint64_t mvms = 0, bm_repeats = 0;
  uint64_t cycles = 0;  ///< from its first input row read to its last output stored
  uint64_t busy = 0;    ///< its busiest core (analog) or its unit's cycles for it (digital)
  uint64_t stall = 0;   ///< cycles its processes waited for input rows, room or a unit
};

class Chip : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Chip);
  /// @brief Builds the chip from its config map (`chip:`); @p ideal bypasses quantization and
  /// device noise (timing and energy unchanged).
  Chip(sc_core::sc_module_name name, Params p, bool ideal, EnergyLedger& ledger,
       const ChipOptions& opt = {});
  ~Chip() override;

  ChipShape shape() const;
  const Clock& clock() const { return m_tb->clock(); }
  const std::string& preset_name() const { return m_cs.name; }
  const ChipSettings& settings() const { return m_cs; }
  /// @brief Peripheral numerics of the cores, to build the GraphAnalogNetwork with.
  const MvmNumerics& numerics() const { return m_numerics; }
  const DeviceModel& device() const { return *m_device; }
  const WeightEncoding& encoding() const { return m_cs.encoding; }

  /// @brief The mapped graph, programmed and prepared in @p analog; call before sc_start.
  /// Compiles the schedule, sizes the buffers, checks the global buffer and tile buffers hold
  /// what the steps need, creates the step engines and their stats under @p step_stats.
  void load(GraphAnalogNetwork& analog, StatGroup& step_stats);

  using OutputFn = std::function<void(int64_t image, const std::vector<float>& logits)>;
  /// @brief The images the controller streams through the chip.
  void set_inputs(const float* images, int64_t count, int64_t sample_size, OutputFn on_output);
  /// @brief The chip's initiator socket to the off-chip port; with `io.impl: external`, bind it
  /// to a target of your own before sc_start.
  tlm_utils::simple_initiator_socket<Chip>& io_socket() { return m_io_socket; }

  // Results, valid after sc_start returns.
  Cycles total_cycles() const { return m_total; }
  Cycles first_latency() const { return m_first_latency; }
  Cycles min_latency() const { return m_min_latency; }
  Cycles max_latency() const { return m_max_latency; }
  /// @brief Mean over images of admission to output out.
  double mean_latency() const { return m_done ? double(m_latency_sum) / double(m_done) : 0.0; }
  int64_t images_done() const { return m_done; }
  /// @brief The step whose busiest resource worked longest (StepFigures::busy).
  int bottleneck_step() const;
  /// @brief Cycles between images leaving the chip once the pipeline is full: the mean interval
  /// over the second half of the exits (the whole run's mean below 4 images).
  double steady_interval() const;
  /// @brief When each image's output left the chip, from the first image's admission.
  const std::vector<Cycles>& done_times() const { return m_done_at; }
  bool pipelined() const { return m_cs.pipelined; }
  /// @brief SystemC events the chip's processes scheduled (timed and delta notifications, timed
  /// waits).
  uint64_t kernel_events() const { return m_tb->events(); }
  StatGroup& stats() { return m_stats; }
  const Schedule& schedule() const { return m_sched; }
  const std::vector<Step>& steps() const { return m_sched.steps(); }
  StepFigures step_figures(int s) const;
  /// @brief The tag the drift-compensation readouts are counted under (after the steps).
  int compensation_tag() const { return int(m_sched.steps().size()); }
  Cycles compensation_cycles() const { return m_comp_cycles; }
  uint64_t compensation_mvms() const;
  /// @brief Peak bytes of values live in the global buffer at one step.
  uint64_t peak_buffer_bytes() const { return m_sched.peak_live_bytes(); }

  /// @brief Power at full activity, in mW, by component class (see docs/architecture.md).
  struct PeakPower {
    std::map<std::string, double> per_core, per_tile, chip;  ///< per_tile: its cores included,
                                                             ///< its share of the interconnect
    double tile_mw = 0, chip_mw = 0;
    double mvm_ns = 0;     ///< one full-scale MVM of a core (every read of it)
    double peak_tops = 0;  ///< every core's array doing full-scale MVMs back to back, 2 ops/MAC
  };
  PeakPower peak_power() const;
  /// @brief Area of one tile (cores, tile components, its share of the interconnect), in um2.
  std::map<std::string, double> tile_area_um2() const;
  /// @brief How busy one kind of resource was over the images' run (total_cycles()).
  struct Utilization {
    std::string name;
    uint64_t units = 0, used = 0, busy = 0, busiest = 0;
    double of_all(Cycles run) const;   ///< busy / (units x run)
    double of_used(Cycles run) const;  ///< busy / (used x run)
  };
  std::vector<Utilization> utilization() const;
  Tile& tile(int i) { return *m_tiles[size_t(i)]; }
  Interconnect& interconnect() { return *m_noc; }

 private:
  void build_components(Params& p, const ChipOptions& opt);
  std::vector<uint64_t> partition_sizes(int tile, const std::vector<std::pair<int, int>>& uses);
  void create_engines(StatGroup& step_stats);
  void check_global_buffer() const;
  void size_queues();
  void set_readouts();
  void make_step_stats(StatGroup& step_stats);
  std::vector<std::vector<Partition*>> make_partitions();
  void make_analog_engines(const Step& st);
  void controller();
  void retire();
  void admit(ImageRecord& rec, int64_t img);
  void on_value_complete(int slot, int v);
  void mark_step_done(int slot, int s);
  MvmJob job_of(int slot, int step, int k, int64_t pixel) const;
  void io_transfer(tlm::tlm_command cmd, uint64_t address, uint64_t bytes);

  ChipSettings m_cs;
  std::unique_ptr<TimeBase> m_tb;
  EnergyLedger& m_ledger;
  StatGroup m_stats;
  std::unique_ptr<DeviceModel> m_device;
  std::unique_ptr<Dac> m_dac;
  std::unique_ptr<Adc> m_adc;
  std::unique_ptr<ArrayModel> m_array;
  int m_adcs = 1;
  CoreSetup m_core_setup;
  MvmNumerics m_numerics;
  std::unique_ptr<OffChipIo> m_io;
  tlm_utils::simple_initiator_socket<Chip> m_io_socket;
  std::unique_ptr<Buffer> m_gbuf;
  std::unique_ptr<Interconnect> m_noc;
  std::vector<std::unique_ptr<Tile>> m_tiles;
  std::string m_tbuf_where, m_gbuf_where;
  std::unique_ptr<Endpoint> m_gbuf_port;

  // Load: the network, its schedule, the engines.
  GraphAnalogNetwork* m_analog = nullptr;
  Schedule m_sched;
  Fabric m_fabric;
  std::vector<ImageRecord> m_images;
  std::unique_ptr<ValueStore> m_store;
  std::vector<std::unique_ptr<StatGroup>> m_step_groups;
  std::vector<StepCounters> m_step_counters;
  std::vector<Counter*> m_step_cycles;
  std::vector<std::vector<Core*>> m_step_cores;  ///< per step: the cores of its arrays
  std::vector<std::unique_ptr<sc_core::sc_module>> m_feeders;
  sc_core::sc_event m_steps_changed, m_slot_free;

  // Run.
  const float* m_images_in = nullptr;
  int64_t m_count = 0, m_sample = 0, m_done = 0;
  int m_in_flight = 0;
  OutputFn m_on_output;
  Cycles m_start, m_total, m_first_latency, m_min_latency, m_max_latency, m_comp_cycles;
  uint64_t m_latency_sum = 0;
  std::vector<Cycles> m_done_at;
  Counter* s_images = nullptr;
  sc_core::sc_event m_ctrl_wake, m_retire_wake;
};

}  // namespace pcmsim
