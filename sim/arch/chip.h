#pragma once
// The SystemC chip: tiles of analog cores (crossbar array + DAC bank + ADC bank with columns
// multiplexed onto ADCs), a digital unit per tile, an interconnect (bus or mesh NoC), a global
// buffer and an off-chip I/O port. It runs a mapped graph as a schedule of steps: an analog step
// is one Conv/Dense node (one MVM per output pixel on each of its arrays) with the element-wise
// nodes that follow it applied as its outputs are assembled; a digital step is any other node on
// a tile's digital unit.
//
// Each step is a stage (an SC_THREAD) that takes images in order: it wakes when the first input
// rows it needs are in the global buffer and books its work on the calendars of the resources it
// uses (its cores, digital units, interconnect links and ports, buffer ports), row by row, then
// hands the image on. Without pipelining one step of one image runs at a time; with
// `pipeline.mode: layers` a step starts on the rows that have arrived and several images stream
// through (see docs/architecture.md). Values are computed when an image is admitted
// (GraphAnalogNetwork); bound-management repeats and value-dependent converter times lengthen
// the MVMs that had them.

#include <functional>
#include <map>
#include <memory>
#include <systemc>
#include <utility>
#include <vector>

#include "models/adc/adc.h"
#include "models/dac/dac.h"
#include "models/array/array.h"
#include "models/array/programmed_array.h"
#include "models/device/device.h"
#include "sim/base/cycles.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"
#include "sim/arch/chip_settings.h"
#include "sim/arch/components.h"
#include "sim/functional/graph_network.h"
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
  Counter* digital_ops;                         ///< every kind
  std::array<Counter*, kOpKinds> digital_kind;  ///< by kind (charged at tile 0's unit's energies)
  Counter* tile_buffer_read_bytes;              ///< tile buffers: input vectors read by the cores
  Counter* tile_buffer_write_bytes;             ///< tile buffers: input rows written as they arrive
  Counter* tile_bus_bytes;                      ///< tile buses: input vectors moved to the cores
  Counter* tile_out_bytes;  ///< bytes leaving the tiles through their output registers
  Counter* cycles;
  Counter* bm_repeats;
  Counter* busy;         ///< cycles its busiest core stream or unit worked
  Counter* input_stall;  ///< cycles cores waited for input rows between pixels
  Counter* core_stall;   ///< cycles an image's input waited for cores busy with the previous
};

/// @brief Adds @p ops to the step's digital operation counters, in total and by kind.
void count_ops(LayerCounters& lc, const OpCounts& ops);

/// @brief One step of the schedule: an analog layer with the element-wise nodes fused after it,
/// or one digital node (with those fused after it).
struct Step {
  std::string name;
  int layer = -1;                        ///< analog layer, or -1 for a digital step
  int node = -1;                         ///< its main node
  std::vector<int> nodes;                ///< graph nodes it runs, in order (views included)
  int tile = 0;                          ///< digital step: the tile whose unit runs it
  OpCounts ops;                          ///< digital step: element operations of the main node
  OpCounts fused_ops;                    ///< element operations of the fused nodes (and the bias)
  std::vector<uint64_t> copy_adds;       ///< analog step: home-tile partial-sum additions per
                                         ///< output pixel, per copy
  uint64_t in_bytes = 0, out_bytes = 0;  ///< read from / written to the global buffer
  std::vector<int> release;              ///< values no later step reads
  int out_value = -1;                    ///< the value it stores (-1: views only)
  std::vector<int> producers;            ///< steps whose outputs it reads (-1: the image)
  std::vector<int> consumers;            ///< steps that read its output
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
  Counter& s_adc_busy;
};

/// @brief A tile: its cores, digital unit and, where configured, a tile buffer (input rows
/// land in it; cores read their input vectors from it) and a tile bus (buffer or port to the
/// cores). Its time is kept on their calendars.
class TileModule : public sc_core::sc_module {
 public:
  TileModule(sc_core::sc_module_name name, Params& p, const TechTable& tech,
             const std::string& stat_name, StatGroup& parent);
  DigitalUnit& digital() { return *m_digital; }
  Buffer* buffer() { return m_buffer.get(); }
  Interconnect* bus() { return m_bus.get(); }
  const Buffer* buffer() const { return m_buffer.get(); }
  const Interconnect* bus() const { return m_bus.get(); }
  const DigitalUnit& digital() const { return *m_digital; }
  Counter* s_out_bytes = nullptr;  ///< bytes sent out of the tile (its output register)
  StatGroup& stats() { return m_stats; }
  std::vector<std::unique_ptr<CoreModule>>& cores() { return m_cores; }

 private:
  StatGroup m_stats;
  std::unique_ptr<DigitalUnit> m_digital;
  std::unique_ptr<Buffer> m_buffer;
  std::unique_ptr<Interconnect> m_bus;
  std::vector<std::unique_ptr<CoreModule>> m_cores;
};

/// @brief One step of the schedule as a pipeline stage: takes images in order as the steps it
/// reads from hand them on.
class StageModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StageModule);
  StageModule(sc_core::sc_module_name name, Chip& chip, int step, int capacity);
  sc_core::sc_fifo<int64_t> inbox;  ///< one token per producer and image

 private:
  void run();
  Chip& m_chip;
  int m_step;
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
  /// @brief Mean over images of admission to output out.
  double mean_latency() const { return m_done ? double(m_latency_sum) / double(m_done) : 0.0; }
  /// @brief The step whose busiest resource (core stream or unit) worked longest per image.
  int bottleneck_step() const;
  /// @brief Cycles between images leaving the chip once the pipeline is full: the mean interval
  /// over the second half of the exits, at least the busiest stage's work per image (the whole
  /// run's mean below 4 images).
  double steady_interval() const;
  /// @brief When each image's output left the chip, from the first image's admission.
  const std::vector<Cycles>& done_times() const { return m_done_at; }
  bool pipelined() const { return m_pipelined; }
  /// @brief SystemC events the chip's processes scheduled: timed waits, event notifications and
  /// FIFO writes (each wakes a waiting process).
  uint64_t kernel_events() const { return m_events; }
  int64_t images_done() const { return m_done; }
  StatGroup& stats() { return m_stats; }
  const std::vector<Step>& steps() const { return m_steps; }
  /// @brief Counters of step i (steps()).
  const std::vector<LayerCounters>& layer_counters() const { return m_layers; }
  const LayerCounters& compensation_counters() const { return m_comp; }
  Cycles compensation_cycles() const { return m_comp_cycles; }
  /// @brief Peak bytes of values live in the global buffer at one step.
  uint64_t peak_buffer_bytes() const { return m_peak_live; }
  /// @brief Power at full activity, in mW, by component class: every core reading back to back
  /// at full-scale inputs and outputs (every device at g_max: the array's upper bound), every
  /// buffer port, bus, link and unit moving its width each cycle, plus static power.
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
  /// @brief How busy one kind of resource was over the images' run (total_cycles()): its units,
  /// those that did any work, their busy cycles summed and the busiest one's.
  struct Utilization {
    std::string name;
    uint64_t units = 0, used = 0, busy = 0, busiest = 0;
    double of_all(Cycles run) const;   ///< busy / (units x run)
    double of_used(Cycles run) const;  ///< busy / (used x run)
  };
  /// @brief Arrays (cores doing MVMs), ADC banks, interconnect links, I/O, global buffer ports,
  /// tile buffer ports, tile buses and digital units; the compensation readouts left out.
  std::vector<Utilization> utilization() const;

  // Used by the stages.
  Cycles now() const;
  void wait_until(Cycles t);
  /// @brief Cycles of one MVM pass of @p cols columns on zero codes: DAC settle + integration +
  /// ADC conversions (times the phases of bit-serial inputs).
  Cycles mvm_cycles(int cols) const { return mvm_cycles(cols, 1, 0, 0); }
  /// @brief Cycles of an array's MVM of @p cols columns: per read DAC settle + integration (for
  /// duration-coded inputs, the longest pulse) + ADC rounds (ramp/CCO: plus the rounds' largest
  /// codes), one read per pass and bit-serial phase (with sample-and-hold overlap, reads after
  /// the first cost the longer of the two stages); value-dependent parts rounded up once.
  Cycles mvm_cycles(int cols, uint64_t passes, uint64_t in_lsbs, uint64_t out_lsbs) const;
  /// @brief Cycles the ADC bank converts in such an MVM: the conversion rounds of every read
  /// (ramp/CCO: plus the codes).
  Cycles adc_cycles(int cols, uint64_t passes, uint64_t out_lsbs) const;
  /// @brief Array reads per MVM pass: bit-serial input phases times the MVM's phases.
  uint64_t reads_per_pass() const;
  TileModule& tile(int i) { return *m_tiles[size_t(i)]; }

 private:
  friend class StageModule;
  /// What one tile does in one analog step, per copy of the layer on it.
  struct TileWork {
    int tile = 0;
    uint64_t in_bytes = 0;
    uint64_t window_bytes = 0;  ///< input rows its arrays need at once (a conv's kernel height)
    struct Copy {
      int copy = 0;
      uint64_t vec_bytes = 0;     ///< input bytes its cores read per pixel
      std::vector<int> local;     ///< positions in the layer's blocks
      uint64_t send_bytes = 0;    ///< partial sums per pixel (0 on the copy's home tile)
      uint64_t local_adds = 0;    ///< additions per pixel before sending
      uint64_t contribution = 0;  ///< partial-sum values per pixel it hands the home tile
    };
    std::vector<Copy> copies;
  };
  /// An image in flight: when each chunk of each stored value is in the global buffer, its
  /// analog steps' pixel times per tile work and copy, the stages done with it.
  struct Image {
    int64_t index = -1;
    Cycles t0, in;
    std::vector<std::vector<Cycles>> ready;
    std::vector<Cycles> end;  ///< per step: when its last output chunk was stored
    std::vector<std::vector<std::vector<std::vector<uint32_t>>>> px;  ///< [step][work][copy][j]
    std::vector<float> logits;
    int stages_done = 0;
  };
  void controller();
  void retire();
  void stage(int s);
  void admit(Image& im, int64_t img);
  void compensation_phase();
  void build_schedule();
  /// When each chunk of value @p v of @p im is in the global buffer (views: their bases, whole).
  std::vector<Cycles> ready_of(const Image& im, int v) const;
  void schedule_analog(int s, Image& im, Cycles floor);
  void schedule_digital(int s, Image& im, Cycles floor);
  /// Reads chunks of @p bytes from the global buffer as they are ready and sends them to
  /// @p tiles (the whole value multicast, or each tile its @p share of it); per tile the
  /// arrival of each chunk (written into the tile buffer where @p buffered and the tile has
  /// one), made non-decreasing.
  std::vector<std::vector<Cycles>> deliver(LayerCounters& lc, const std::vector<Cycles>& ready,
                                           uint64_t bytes, const std::vector<int>& tiles,
                                           const std::vector<uint64_t>& share, bool buffered);
  /// Sends @p bytes from tile @p from to the global buffer at @p at and stores them.
  Cycles store(LayerCounters& lc, Cycles at, uint64_t bytes, int from);
  LayerCounters make_counters(const std::string& name, StatGroup& parent, EnergyLedger& ledger);
  /// Core periphery energy per DAC conversion (input register) and per column conversion
  /// (sample-and-hold, shift-and-add, output register), in pJ.
  double input_register_pj() const;
  /// The fixed cycles of one array read of @p cols columns: {DAC settle + integration, ADC
  /// conversion rounds}; value-dependent pulse and code times come on top.
  std::pair<Cycles, Cycles> read_stages(int cols) const;
  double per_conversion_pj() const;

  std::string m_name;
  Clock m_clock;
  sc_core::sc_time m_period;
  int m_tiles_n, m_cores_n, m_adcs, m_act_bytes, m_psum_bytes, m_psum_bits;
  int m_mvm_phases = 1;    ///< reads per pass whose converted outputs are averaged
  EnergyLedger& m_ledger;  ///< the chip's components' costs (areas, for tile_area_um2)
  CorePeriphery m_periphery;
  PeripheralCost m_tile_or;
  std::string m_tbuf_where;  ///< config place of the tile buffer's size, for capacity errors
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

  // Pipeline: stages, images in flight, chunks per value, cores' calendars per step.
  bool m_pipelined = false;
  int m_in_flight_max = 1, m_in_flight = 0;
  std::vector<std::unique_ptr<StageModule>> m_stages;
  std::vector<std::vector<int>> m_base;  ///< per value: the stored values a view reads
  std::vector<int> m_chunks;             ///< per value: rows the pipeline tracks
  std::vector<std::vector<std::vector<Cycles>>> m_core_free;  ///< [step][work][copy]
  std::vector<Image> m_slots;
  std::vector<std::vector<int>> m_tokens;  ///< [step][slot] tokens received
  sc_core::sc_event m_stage_done;          ///< a stage finished an image
  sc_core::sc_event m_slot_free;
  std::vector<Cycles> m_done_at;
  Cycles m_start;
  uint64_t m_latency_sum = 0;
  uint64_t m_events = 0;
  std::vector<std::pair<uint64_t, uint64_t>> m_core_busy0;  ///< per core at the first image:
                                                            ///< {MVM, ADC} busy cycles

  const float* m_images = nullptr;
  int64_t m_count = 0, m_sample = 0, m_done = 0;
  OutputFn m_on_output;
  Cycles m_total, m_first_latency, m_min_latency, m_max_latency;
  Counter* s_images = nullptr;
};

}  // namespace pcmsim
