#include "sim/hw/chip.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "sim/framework/error.h"
#include "sim/framework/registry.h"

namespace pcmsim {

using sc_core::sc_module_name;

// ---------------------------------------------------------------- core

CoreModule::CoreModule(sc_module_name name, Chip& chip, TileModule& tile,
                       const std::string& stat_name, StatGroup& parent)
    : sc_module(name),
      jobs(1),
      m_chip(chip),
      m_tile(tile),
      m_stats(stat_name, &parent),
      s_mvms(m_stats.counter("mvms", "mvms", "array MVMs (bound-management repeats included)")),
      s_bm(m_stats.counter("bm_repeats", "mvms",
                           "MVMs repeated with halved input because outputs clipped")),
      s_dac(m_stats.counter("dac_conversions", "conversions", "row inputs driven by DACs")),
      s_adc(m_stats.counter("adc_conversions", "conversions", "column outputs digitized")),
      s_x2g(m_stats.accumulator("array_x2g", "uS",
                                "sum over MVMs of x_i^2 * G_ij (read-energy basis)")),
      s_busy(m_stats.counter("busy_cycles", "cycles", "cycles spent in MVMs")) {
  SC_THREAD(run);
}

Cycles CoreModule::mvm_cycles(int cols) const {
  // 1. DAC settle, 2. integration on the array, 3. conversions: ceil(cols / ADCs) rounds.
  Cycles dac = m_chip.dac().cost().latency;
  Cycles integrate = m_chip.clock().cycles_for_ns(m_chip.array_model().t_int_ns());
  Cycles adc =
      m_chip.adc().cost().latency * ceil_div(uint64_t(cols), uint64_t(m_chip.adcs_per_array()));
  return dac + integrate + adc;
}

void CoreModule::run() {
  for (;;) {
    int job = -1;
    jobs.read(job);
    const bool comp = job < 0;
    const int b = comp ? -job - 1 : job;
    const ArrayBlock& blk = m_chip.mapping().blocks[size_t(b)];
    // The values are computed when the MVM is issued and delivered when it completes; bound
    // management decides how many passes the array runs, and each pass takes a full MVM time.
    MvmResult res =
        comp ? m_chip.analog().compensation_work(b)
             : m_chip.analog().block_mvm(b, m_chip.layer_input(), m_chip.current_image());
    Cycles busy = mvm_cycles(blk.cols) * uint64_t(res.passes);
    m_chip.wait_cycles(busy);
    const uint64_t passes = uint64_t(res.passes);
    s_mvms += passes;
    s_dac += passes * uint64_t(blk.rows);
    s_adc += passes * uint64_t(blk.cols);
    s_x2g += res.x2g;
    s_busy += busy.count();
    LayerCounters& lc = comp ? m_chip.compensation_counters() : m_chip.layer(blk.layer);
    *lc.mvms += passes;
    *lc.dac_conversions += passes * uint64_t(blk.rows);
    *lc.adc_conversions += passes * uint64_t(blk.cols);
    *lc.x2g += res.x2g;
    if (comp) {
      m_chip.core_done();
    } else {
      s_bm += passes - 1;
      *lc.bm_repeats += passes - 1;
      m_tile.core_done();
    }
  }
}

// ---------------------------------------------------------------- tile

TileModule::TileModule(sc_module_name name, Chip& chip, int index, Params& p,
                       const std::string& stat_name, StatGroup& parent)
    : sc_module(name), jobs(1), m_chip(chip), m_index(index), m_stats(stat_name, &parent) {
  Params dp = p.child("digital");
  m_digital = Registry<DigitalUnit>::create(dp);
  SC_THREAD(run);
}

void TileModule::core_done() {
  if (--m_pending == 0) m_cores_done.notify(sc_core::SC_ZERO_TIME);
}

void TileModule::run() {
  for (;;) {
    int li = -1;
    jobs.read(li);
    const Mapping& map = m_chip.mapping();
    const MappedLayer& ml = map.layers[li];
    LayerCounters& lc = m_chip.layer(li);
    // 1. Receive the input rows this tile's arrays need (each row block once).
    std::map<int, int> row_blocks;  // first row -> rows
    std::set<int> col_blocks;
    std::vector<int> local;
    for (int b : ml.blocks) {
      const ArrayBlock& blk = map.blocks[b];
      if (blk.tile != m_index) continue;
      local.push_back(b);
      row_blocks[blk.row0] = blk.rows;
      col_blocks.insert(blk.col0);
    }
    uint64_t in_bytes = 0;
    for (const auto& rb : row_blocks) in_bytes += uint64_t(rb.second) * m_chip.act_bytes();
    Slot s = m_chip.bus().transfer(m_chip.now(), in_bytes);
    *lc.bus_bytes += in_bytes;
    m_chip.wait_until(s.done);
    // 2. All local arrays run their MVM in parallel.
    m_pending = int(local.size());
    for (int b : local) m_cores[map.blocks[b].core]->jobs.write(b);
    while (m_pending > 0) wait(m_cores_done);
    // 3. Sum the local partials of each column block.
    uint64_t adds = 0;
    for (int cb : col_blocks) {
      int n = 0, cols = 0;
      for (int b : local) {
        if (map.blocks[b].col0 == cb) {
          ++n;
          cols = map.blocks[b].cols;
        }
      }
      adds += uint64_t(n - 1) * uint64_t(cols);
    }
    if (adds) {
      m_chip.wait_until(m_digital->execute(m_chip.now(), adds).done);
      *lc.digital_ops += adds;
    }
    // 4. Send the partial sums to the layer's home tile.
    if (m_index != ml.home_tile) {
      uint64_t bytes = 0;
      for (int cb : col_blocks) {
        for (int b : local) {
          if (map.blocks[b].col0 == cb) {
            bytes += uint64_t(map.blocks[b].cols) * m_chip.psum_bytes();
            break;
          }
        }
      }
      Slot t = m_chip.bus().transfer(m_chip.now(), bytes);
      *lc.bus_bytes += bytes;
      m_chip.wait_until(t.done);
    }
    m_chip.tile_done();
  }
}

// ---------------------------------------------------------------- chip

Chip::Chip(sc_module_name name, Params p, bool ideal, EnergyLedger& ledger)
    : sc_module(name), m_stats(std::string(name)) {
  // 1. The chip's own settings, then 2. its component implementations.
  const ChipSettings cs = read_chip_settings(p);
  m_name = cs.name;
  m_clock = Clock(cs.clock_ghz);
  m_period = sc_core::sc_time(m_clock.period_ns(), sc_core::SC_NS);
  m_tiles_n = cs.tiles;
  m_cores_n = cs.cores_per_tile;
  m_act_bytes = int(ceil_div(uint64_t(cs.activation_bits), 8));
  m_psum_bytes = int(ceil_div(uint64_t(cs.psum_bits), 8));
  m_encoding = cs.encoding;

  Params bp = p.child("interconnect");
  m_bus = Registry<Interconnect>::create(bp);
  m_bus->attach(m_stats, "interconnect", ledger);
  Params iop = p.child("io");
  m_io = Registry<Interconnect>::create(iop);
  m_io->attach(m_stats, "io", ledger);
  Params gp = p.child("global_buffer");
  m_gbuf = Registry<Buffer>::create(gp);
  m_gbuf->attach(m_stats, "global_buffer", ledger);
  Params tp = p.child("tile");
  Params cp = tp.child("core");
  Params ap = cp.child("array");
  m_array = Registry<ArrayModel>::create(ap);
  Params devp = cp.child("device");
  m_device = Registry<DeviceModel>::create(devp);
  Params dacp = cp.child("dac");
  m_dac = Registry<Dac>::create(dacp);
  Params adcp = cp.child("adc");
  m_adc = Registry<Adc>::create(adcp);
  m_adcs = cs.adcs > 0 ? cs.adcs : m_array->cols();
  if (m_adcs > m_array->cols()) {
    cp.fail("adcs", "more ADCs than array columns (" + std::to_string(m_array->cols()) + ")");
  }
  m_numerics.dac = m_dac.get();
  m_numerics.adc = m_adc.get();
  m_numerics.ideal = ideal;
  m_numerics.noise_management = cs.noise_management;
  m_numerics.max_passes = cs.bm_max_passes;
  m_numerics.normalized_outputs = cs.normalized_outputs;
  // Ideal numerics stay exact: no IR drop either.
  m_numerics.ir_drop =
      ideal ? 0.0 : m_array->r_wire_ohm() * m_device->g_max_uS() * 1e-6;  // ohm x S

  for (int t = 0; t < m_tiles_n; ++t) {
    std::string tn = "tile" + std::to_string(t);
    m_tiles.push_back(std::make_unique<TileModule>(tn.c_str(), *this, t, tp, tn, m_stats));
    TileModule& tile = *m_tiles.back();
    tile.digital().attach(tile.stats(), "digital", ledger);
    for (int c = 0; c < m_cores_n; ++c) {
      std::string cn = "core" + std::to_string(c);
      std::string module_name = tn + "_" + cn;
      tile.cores().push_back(
          std::make_unique<CoreModule>(module_name.c_str(), *this, tile, cn, tile.stats()));
    }
  }
  // Costs of every core, mapped or not (they are on the chip).
  const ArrayModel& a = *m_array;
  for (const auto& tile : m_tiles) {
    for (const auto& core : tile->cores()) {
      const StatGroup* g = &core->stats();
      std::string path = g->full_name();
      ledger.bind(path, "array", *g->find("array_x2g"), a.read_energy_pj(1.0));
      ledger.bind(path, "dac", *g->find("dac_conversions"), m_dac->cost().energy_pj);
      ledger.bind(path, "adc", *g->find("adc_conversions"), m_adc->cost().energy_pj);
      ledger.area(path, "array", a.area_um2());
      ledger.area(path, "dac", m_dac->cost().area_um2 * a.rows());
      ledger.area(path, "adc", m_adc->cost().area_um2 * m_adcs);
      ledger.leakage(path, a.leakage_mw() + m_dac->cost().leakage_mw * a.rows() +
                               m_adc->cost().leakage_mw * m_adcs);
    }
  }
  s_images = &m_stats.counter("images", "images", "images run through the chip");
  m_stats.formula("cycles", "cycles", "cycles from the first image in to the last logits out",
                  [this] { return double(m_total.count()); });
  SC_THREAD(controller);
}

Chip::~Chip() = default;

ChipShape Chip::shape() const {
  return {m_tiles_n, m_cores_n, m_array->rows(), m_array->cols(), m_encoding.levels()};
}

Cycles Chip::now() const {
  return Cycles(static_cast<uint64_t>(std::llround(sc_core::sc_time_stamp() / m_period)));
}

void Chip::wait_until(Cycles t) {
  Cycles n = now();
  if (t > n) wait(m_period * double((t - n).count()));
}

void Chip::tile_done() {
  if (--m_pending_tiles == 0) m_tiles_done.notify(sc_core::SC_ZERO_TIME);
}

LayerCounters Chip::make_counters(const std::string& name, StatGroup& parent,
                                  EnergyLedger& ledger) {
  LayerCounters lc;
  lc.group = std::make_unique<StatGroup>(name, &parent);
  StatGroup& g = *lc.group;
  lc.mvms = &g.counter("mvms", "mvms", "array MVMs (bound-management repeats included)");
  lc.dac_conversions = &g.counter("dac_conversions", "conversions", "DAC conversions");
  lc.adc_conversions = &g.counter("adc_conversions", "conversions", "ADC conversions");
  lc.x2g = &g.accumulator("array_x2g", "uS", "read-energy basis sum x^2 G");
  lc.bus_bytes = &g.counter("interconnect_bytes", "B", "bytes on the interconnect");
  lc.buffer_read_bytes = &g.counter("buffer_read_bytes", "B", "global buffer bytes read");
  lc.buffer_write_bytes = &g.counter("buffer_write_bytes", "B", "global buffer bytes written");
  lc.digital_ops = &g.counter("digital_ops", "ops", "digital element operations");
  lc.cycles = &g.counter("cycles", "cycles", "cycles spent, summed over images");
  lc.bm_repeats = &g.counter("bm_repeats", "mvms", "MVMs repeated by bound management");
  std::string path = g.full_name();
  ledger.bind(path, "array", *lc.x2g, m_array->read_energy_pj(1.0));
  ledger.bind(path, "dac", *lc.dac_conversions, m_dac->cost().energy_pj);
  ledger.bind(path, "adc", *lc.adc_conversions, m_adc->cost().energy_pj);
  ledger.bind(path, "interconnect", *lc.bus_bytes, m_bus->pj_per_byte());
  ledger.bind(path, "buffer", *lc.buffer_read_bytes, m_gbuf->read_pj_per_byte());
  ledger.bind(path, "buffer", *lc.buffer_write_bytes, m_gbuf->write_pj_per_byte());
  ledger.bind(path, "digital", *lc.digital_ops, m_tiles[0]->digital().pj_per_op());
  return lc;
}

void Chip::load(const Network& net, AnalogNetwork& analog, StatGroup& layer_stats,
                EnergyLedger& layer_ledger) {
  m_net = &net;
  m_analog = &analog;
  const Mapping& map = analog.mapping();
  // The global buffer holds one layer's input and output at a time.
  for (const MappedLayer& l : map.layers) {
    uint64_t need = uint64_t(l.in + l.out) * uint64_t(m_act_bytes);
    if (need > m_gbuf->size_bytes()) {
      throw Error("chip.global_buffer.size = " + std::to_string(m_gbuf->size_bytes()) +
                  " B cannot hold layer '" + l.name + "' input and output (" +
                  std::to_string(need) + " B)");
    }
  }
  for (const MappedLayer& l : map.layers)
    m_layers.push_back(make_counters(l.name, layer_stats, layer_ledger));
  m_comp = make_counters("drift_compensation", layer_stats, layer_ledger);
}

void Chip::set_inputs(const float* images, int64_t count, int64_t sample_size, OutputFn on_output) {
  m_images = images;
  m_count = count;
  m_sample = sample_size;
  m_on_output = std::move(on_output);
}

void Chip::core_done() {
  if (--m_pending_cores == 0) m_cores_done.notify(sc_core::SC_ZERO_TIME);
}

void Chip::compensation_phase() {
  // Drift compensation: every array runs its one-hot readouts (reference and at the evaluation
  // time), all arrays in parallel, before the first image.
  const Cycles t0 = now();
  const Mapping& map = mapping();
  m_pending_cores = 0;
  for (size_t b = 0; b < map.blocks.size(); ++b) {
    if (m_analog->compensation_work(int(b)).passes == 0) continue;
    ++m_pending_cores;
    const ArrayBlock& blk = map.blocks[b];
    m_tiles[size_t(blk.tile)]->cores()[size_t(blk.core)]->jobs.write(-int(b) - 1);
  }
  while (m_pending_cores > 0) wait(m_cores_done);
  m_comp_cycles = now() - t0;
  *m_comp.cycles += m_comp_cycles.count();
}

void Chip::controller() {
  if (!m_analog || !m_images) return;
  compensation_phase();
  const Mapping& map = mapping();
  const Cycles start = now();
  std::vector<float> next;
  for (int64_t img = 0; img < m_count; ++img) {
    const Cycles t0 = now();
    m_image = img;
    // 1. The image arrives through the I/O port into the global buffer.
    uint64_t in_bytes = uint64_t(m_sample) * uint64_t(m_act_bytes);
    wait_until(m_io->transfer(now(), in_bytes).done);
    wait_until(m_gbuf->access(now(), in_bytes, true).done);
    m_act.assign(m_images + img * m_sample, m_images + (img + 1) * m_sample);
    for (size_t li = 0; li < map.layers.size(); ++li) {
      const MappedLayer& ml = map.layers[li];
      LayerCounters& lc = m_layers[li];
      const Cycles l0 = now();
      // 2. Read the layer input from the global buffer and hand it to the tiles.
      uint64_t bytes = uint64_t(ml.in) * uint64_t(m_act_bytes);
      wait_until(m_gbuf->access(now(), bytes, false).done);
      *lc.buffer_read_bytes += bytes;
      m_pending_tiles = int(ml.tiles.size());
      for (int t : ml.tiles) m_tiles[size_t(t)]->jobs.write(int(li));
      while (m_pending_tiles > 0) wait(m_tiles_done);
      // 3. The home tile adds the partial sums of the other tiles, the bias, the activation.
      uint64_t ops = uint64_t(ml.out) * (ml.relu ? 2 : 1);
      for (int cb = 0; cb < ml.col_blocks; ++cb) {
        std::set<int> tiles;
        int cols = 0;
        for (int b : ml.blocks) {
          const ArrayBlock& blk = map.blocks[size_t(b)];
          if (blk.col0 / m_array->cols() == cb) {
            tiles.insert(blk.tile);
            cols = blk.cols;
          }
        }
        ops += uint64_t(tiles.size() - 1) * uint64_t(cols);
      }
      wait_until(m_tiles[size_t(ml.home_tile)]->digital().execute(now(), ops).done);
      *lc.digital_ops += ops;
      m_analog->combine(int(li), next);  // commit point of the layer's digital step
      // 4. The output goes back to the global buffer.
      uint64_t out_bytes = uint64_t(ml.out) * uint64_t(m_act_bytes);
      wait_until(m_bus->transfer(now(), out_bytes).done);
      *lc.bus_bytes += out_bytes;
      wait_until(m_gbuf->access(now(), out_bytes, true).done);
      *lc.buffer_write_bytes += out_bytes;
      m_act.swap(next);
      *lc.cycles += (now() - l0).count();
    }
    // 5. Logits leave through the I/O port.
    uint64_t out_bytes = m_act.size() * uint64_t(m_act_bytes);
    wait_until(m_gbuf->access(now(), out_bytes, false).done);
    wait_until(m_io->transfer(now(), out_bytes).done);
    const Cycles latency = now() - t0;
    if (img == 0) m_first_latency = m_min_latency = latency;
    m_min_latency = std::min(m_min_latency, latency);
    m_max_latency = std::max(m_max_latency, latency);
    ++*s_images;
    ++m_done;
    if (m_on_output) m_on_output(img, m_act);
  }
  m_total = now() - start;
}

}  // namespace pcmsim
