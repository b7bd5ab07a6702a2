#include "sim/arch/chip.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/base/error.h"
#include "sim/base/registry.h"

namespace pcmsim {

using sc_core::sc_module_name;

// ---------------------------------------------------------------- core and tile

CoreModule::CoreModule(const std::string& stat_name, StatGroup& parent)
    : m_stats(stat_name, &parent),
      s_mvms(m_stats.counter("mvms", "mvms", "array MVMs (bound-management repeats included)")),
      s_bm(m_stats.counter("bm_repeats", "mvms",
                           "MVMs repeated with halved input because outputs clipped")),
      s_dac(m_stats.counter("dac_conversions", "conversions", "row inputs driven by DACs")),
      s_adc(m_stats.counter("adc_conversions", "conversions", "column outputs digitized")),
      s_x2g(m_stats.accumulator("array_x2g", "uS",
                                "sum over MVMs of x_i^2 * G_ij (read-energy basis)")),
      s_busy(m_stats.counter("busy_cycles", "cycles", "cycles spent in MVMs")),
      s_adc_busy(
          m_stats.counter("adc_busy_cycles", "cycles",
                          "cycles its ADC bank converted (every read's conversion rounds)")) {}

TileModule::TileModule(sc_module_name name, Params& p, const TechTable& tech,
                       const std::string& stat_name, StatGroup& parent)
    : sc_module(name), m_stats(stat_name, &parent) {
  Params dp = p.child("digital");
  m_digital = Registry<DigitalUnit>::create(dp);
  m_digital->use_tech(tech);
  if (p.has("buffer")) {
    Params bp = p.child("buffer");
    m_buffer = Registry<Buffer>::create(bp);
  }
  if (p.has("bus")) {
    Params bp = p.child("bus");
    m_bus = Registry<Interconnect>::create(bp);
  }
  s_out_bytes =
      &m_stats.counter("output_bytes", "B", "activation bytes leaving through its output register");
}

StageModule::StageModule(sc_module_name name, Chip& chip, int step, int capacity)
    : sc_module(name), inbox(capacity), m_chip(chip), m_step(step) {
  SC_THREAD(run);
}

void StageModule::run() { m_chip.stage(m_step); }

// ---------------------------------------------------------------- chip

Chip::Chip(sc_module_name name, Params p, bool ideal, EnergyLedger& ledger)
    : sc_module(name), m_ledger(ledger), m_stats(std::string(name)) {
  // 1. The chip's own settings, then 2. its component implementations.
  const ChipSettings cs = read_chip_settings(p);
  m_name = cs.name;
  m_clock = Clock(cs.clock_ghz);
  m_period = sc_core::sc_time(m_clock.period_ns(), sc_core::SC_NS);
  m_tiles_n = cs.tiles;
  m_cores_n = cs.cores_per_tile;
  m_act_bytes = int(ceil_div(uint64_t(cs.activation_bits), 8));
  m_psum_bytes = int(ceil_div(uint64_t(cs.psum_bits), 8));
  m_psum_bits = cs.psum_bits;
  m_encoding = cs.encoding;
  m_pipelined = cs.pipelined;
  m_in_flight_max = cs.images_in_flight;
  m_periphery = cs.periphery;
  m_tile_or = cs.tile_output_register;

  Params bp = p.child("interconnect");
  m_bus = Registry<Interconnect>::create(bp);
  m_bus->connect(m_tiles_n);  // first: an auto-sized mesh knows its routers (area) once placed
  m_bus->attach(m_stats, "interconnect", ledger);
  Params iop = p.child("io");
  m_io = Registry<Interconnect>::create(iop);
  m_io->connect(m_tiles_n);
  m_io->attach(m_stats, "io", ledger);
  Params gp = p.child("global_buffer");
  m_gbuf = Registry<Buffer>::create(gp);
  m_gbuf->attach(m_stats, "global_buffer", ledger);
  Params tp = p.child("tile");
  if (tp.has("buffer")) m_tbuf_where = tp.child("buffer").where("size");
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
  m_mvm_phases = cs.mvm_phases;
  m_numerics.phases = cs.mvm_phases;
  m_numerics.normalized_outputs = cs.normalized_outputs;
  m_numerics.record_input_codes = m_dac->coding() == InputCoding::Duration;
  m_numerics.cols_per_adc =
      m_adc->cost().ns_per_lsb > 0 ? int(ceil_div(uint64_t(m_array->cols()), uint64_t(m_adcs))) : 0;
  // Ideal numerics stay exact: no IR drop either.
  m_numerics.ir_drop =
      ideal ? 0.0 : m_array->r_wire_ohm() * m_device->g_max_uS() * 1e-6;  // ohm x S

  for (int t = 0; t < m_tiles_n; ++t) {
    std::string tn = "tile" + std::to_string(t);
    m_tiles.push_back(std::make_unique<TileModule>(tn.c_str(), tp, cs.tech, tn, m_stats));
    TileModule& tile = *m_tiles.back();
    tile.digital().attach(tile.stats(), "digital", ledger);
    if (tile.buffer()) tile.buffer()->attach(tile.stats(), "buffer", ledger);
    if (tile.bus()) {
      tile.bus()->connect(m_cores_n);
      tile.bus()->attach(tile.stats(), "bus", ledger);
    }
    const std::string tpath = tile.stats().full_name();
    ledger.bind(tpath, "periphery", *tile.s_out_bytes, m_tile_or.energy_pj);
    ledger.area(tpath, "periphery", m_tile_or.area_um2);
    ledger.leakage(tpath, m_tile_or.leakage_mw);
    for (int c = 0; c < m_cores_n; ++c) {
      tile.cores().push_back(
          std::make_unique<CoreModule>("core" + std::to_string(c), tile.stats()));
    }
  }
  // Costs of every core, mapped or not (they are on the chip).
  const ArrayModel& a = *m_array;
  const CorePeriphery& pe = m_periphery;
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
      ledger.bind(path, "periphery", *g->find("dac_conversions"), input_register_pj());
      ledger.bind(path, "periphery", *g->find("adc_conversions"), per_conversion_pj());
      ledger.area(path, "periphery",
                  pe.sample_hold.area_um2 * a.cols() + pe.shift_add.area_um2 * pe.shift_add_units +
                      pe.input_register.area_um2 + pe.output_register.area_um2);
      ledger.leakage(path, pe.sample_hold.leakage_mw * a.cols() +
                               pe.shift_add.leakage_mw * pe.shift_add_units +
                               pe.input_register.leakage_mw + pe.output_register.leakage_mw);
    }
  }
  s_images = &m_stats.counter("images", "images", "images run through the chip");
  m_stats.formula("cycles", "cycles", "cycles from the first image in to the last logits out",
                  [this] { return double(m_total.count()); });
  SC_THREAD(controller);
  SC_THREAD(retire);
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
  if (t > n) {
    ++m_events;
    wait(m_period * double((t - n).count()));
  }
}

double Chip::input_register_pj() const {
  // One DAC conversion reads its input code from the register: 1 bit per read for bit-serial
  // inputs, the DAC's bits otherwise.
  const int bits = m_dac->coding() == InputCoding::BitSerial ? 1 : m_dac->bits();
  return m_periphery.input_register.energy_pj * double(bits) / 8.0;
}

double Chip::per_conversion_pj() const {
  // Each column conversion: one sample held, one shift-and-add, one partial sum written.
  const CorePeriphery& pe = m_periphery;
  return pe.sample_hold.energy_pj + pe.shift_add.energy_pj +
         pe.output_register.energy_pj * double(m_psum_bits) / 8.0;
}

std::pair<Cycles, Cycles> Chip::read_stages(int cols) const {
  // Front: 1. DAC settle, 2. integration on the array (duration coding: the pulses, which
  // depend on the codes). Back: 3. conversions, ceil(cols / ADCs) rounds (ramp/CCO: plus codes).
  Cycles front = m_dac->cost().latency;
  if (m_dac->coding() != InputCoding::Duration)
    front = front + m_clock.cycles_for_ns(m_array->t_int_ns());
  return {front, m_adc->cost().latency * ceil_div(uint64_t(cols), uint64_t(m_adcs))};
}

uint64_t Chip::reads_per_pass() const { return uint64_t(m_dac->phases()) * uint64_t(m_mvm_phases); }

Cycles Chip::adc_cycles(int cols, uint64_t passes, uint64_t out_lsbs) const {
  // The codes are summed over the MVM's phases already (MvmResult); bit-serial reads repeat them.
  const double value_ns = m_adc->cost().ns_per_lsb * double(out_lsbs);
  return read_stages(cols).second * (passes * reads_per_pass()) +
         (value_ns > 0 ? m_clock.cycles_for_ns(value_ns) : Cycles(0)) * uint64_t(m_dac->phases());
}

Cycles Chip::mvm_cycles(int cols, uint64_t passes, uint64_t in_lsbs, uint64_t out_lsbs) const {
  // With sample-and-hold overlap the array reads again while the ADCs convert the last read:
  // reads after the first cost the longer of the two.
  const auto [front, back] = read_stages(cols);
  const uint64_t reads = passes * reads_per_pass();
  const Cycles fixed = m_periphery.overlap && reads > 0
                           ? front + back + max(front, back) * (reads - 1)
                           : (front + back) * reads;
  const double value_ns =
      m_dac->cost().ns_per_lsb * double(in_lsbs) + m_adc->cost().ns_per_lsb * double(out_lsbs);
  const Cycles value = value_ns > 0 ? m_clock.cycles_for_ns(value_ns) : Cycles(0);
  return fixed + value * uint64_t(m_dac->phases());
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
  lc.bus_actions = &g.counter("interconnect_actions", "actions",
                              "interconnect energy actions (bytes on a bus, flit-hops on a mesh)");
  lc.buffer_read_bytes = &g.counter("buffer_read_bytes", "B", "global buffer bytes read");
  lc.buffer_write_bytes = &g.counter("buffer_write_bytes", "B", "global buffer bytes written");
  lc.digital_ops = &g.counter("digital_ops", "ops", "digital element operations");
  for (OpKind k : kAllOpKinds) {
    const std::string kind = op_kind_name(k);
    lc.digital_kind[size_t(k)] =
        &g.counter("digital_" + kind, "ops", "digital " + kind + " operations");
  }
  lc.tile_buffer_read_bytes =
      &g.counter("tile_buffer_read_bytes", "B", "tile buffer bytes read by the cores");
  lc.tile_buffer_write_bytes =
      &g.counter("tile_buffer_write_bytes", "B", "tile buffer bytes written as input arrives");
  lc.tile_bus_bytes = &g.counter("tile_bus_bytes", "B", "bytes moved to the cores on tile buses");
  lc.tile_out_bytes =
      &g.counter("tile_output_bytes", "B", "bytes leaving the tiles' output registers");
  lc.cycles = &g.counter("cycles", "cycles", "cycles spent, summed over images");
  lc.bm_repeats = &g.counter("bm_repeats", "mvms", "MVMs repeated by bound management");
  lc.busy = &g.counter("busy_cycles", "cycles",
                       "cycles its busiest core stream (analog) or its unit (digital) worked");
  lc.input_stall = &g.counter("input_stall_cycles", "cycles",
                              "cycles cores waited between pixels for input rows");
  lc.core_stall = &g.counter("core_stall_cycles", "cycles",
                             "cycles an image's input waited for cores busy with the previous");
  std::string path = g.full_name();
  ledger.bind(path, "array", *lc.x2g, m_array->read_energy_pj(1.0));
  ledger.bind(path, "dac", *lc.dac_conversions, m_dac->cost().energy_pj);
  ledger.bind(path, "adc", *lc.adc_conversions, m_adc->cost().energy_pj);
  ledger.bind(path, "interconnect", *lc.bus_actions, m_bus->pj_per_action());
  ledger.bind(path, "buffer", *lc.buffer_read_bytes, m_gbuf->read_pj_per_byte());
  ledger.bind(path, "buffer", *lc.buffer_write_bytes, m_gbuf->write_pj_per_byte());
  for (OpKind k : kAllOpKinds)
    ledger.bind(path, "digital", *lc.digital_kind[size_t(k)],
                m_tiles[0]->digital().energies()[size_t(k)]);
  ledger.bind(path, "periphery", *lc.dac_conversions, input_register_pj());
  ledger.bind(path, "periphery", *lc.adc_conversions, per_conversion_pj());
  ledger.bind(path, "periphery", *lc.tile_out_bytes, m_tile_or.energy_pj);
  TileModule& t0 = *m_tiles[0];
  if (t0.buffer()) {
    ledger.bind(path, "buffer", *lc.tile_buffer_read_bytes, t0.buffer()->read_pj_per_byte());
    ledger.bind(path, "buffer", *lc.tile_buffer_write_bytes, t0.buffer()->write_pj_per_byte());
  }
  if (t0.bus()) ledger.bind(path, "interconnect", *lc.tile_bus_bytes, t0.bus()->pj_per_action());
  return lc;
}

void Chip::build_schedule() {
  const Graph& g = m_analog->graph();
  const GraphMapping& map = m_analog->mapping();
  const size_t V = g.values.size();
  std::vector<int> readers(V, 0);
  for (const GraphNode& n : g.nodes)
    for (int v : n.inputs) ++readers[size_t(v)];
  ++readers[size_t(g.output)];
  // 1. Steps: each analog or computing node starts one; element-wise nodes on a step's output
  // that nothing else reads join it; views join the step before them (or the next one).
  std::vector<int> pending_views;
  int last = -1;  // the value the current step produces
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    const int li = map.layer_of_node[i];
    if (li < 0 && is_view(n.op)) {
      if (m_steps.empty()) {
        pending_views.push_back(int(i));
        continue;
      }
      m_steps.back().nodes.push_back(int(i));
      if (n.inputs.size() == 1 && n.inputs[0] == last && readers[size_t(last)] == 1)
        last = n.output;
      continue;
    }
    if (li < 0 && !m_steps.empty() && is_elementwise(n) && n.inputs[0] == last &&
        readers[size_t(last)] == 1) {
      m_steps.back().nodes.push_back(int(i));
      m_steps.back().fused_ops += digital_op_counts(g, n);
      last = n.output;
      continue;
    }
    Step st;
    st.name = n.name;
    st.layer = li;
    st.node = int(i);
    st.nodes = pending_views;
    st.nodes.push_back(int(i));
    pending_views.clear();
    if (li >= 0) {
      st.in_bytes = uint64_t(numel(g.values[size_t(n.inputs[0])].shape)) * m_act_bytes;
      if (!n.bias.data.empty())
        st.fused_ops[OpKind::Add] = uint64_t(numel(g.values[size_t(n.output)].shape));
    } else {
      for (int v : n.inputs)
        st.in_bytes += uint64_t(numel(g.values[size_t(v)].shape)) * m_act_bytes;
      st.ops = digital_op_counts(g, n);
    }
    last = n.output;
    m_steps.push_back(std::move(st));
  }
  if (m_steps.empty()) {  // nothing but views
    Step st;
    st.name = "views";
    st.nodes = pending_views;
    m_steps.push_back(std::move(st));
  }
  // 2. Where values live: a view's value is its inputs' storage. Each stored value is written
  // by its step and read until its last reader's step.
  std::vector<std::vector<int>> base(V);
  std::vector<int> step_of(V, -1), last_read(V, -1);
  base[size_t(g.input)] = {g.input};
  step_of[size_t(g.input)] = 0;
  for (size_t s = 0; s < m_steps.size(); ++s) {
    for (int i : m_steps[s].nodes) {
      const GraphNode& n = g.nodes[size_t(i)];
      for (int v : n.inputs)
        for (int b : base[size_t(v)]) last_read[size_t(b)] = std::max(last_read[size_t(b)], int(s));
      if (map.layer_of_node[size_t(i)] < 0 && is_view(n.op)) {
        for (int v : n.inputs)
          base[size_t(n.output)].insert(base[size_t(n.output)].end(), base[size_t(v)].begin(),
                                        base[size_t(v)].end());
      } else {
        base[size_t(n.output)] = {n.output};
        step_of[size_t(n.output)] = int(s);
      }
    }
  }
  for (int b : base[size_t(g.output)]) last_read[size_t(b)] = int(m_steps.size());
  for (size_t v = 0; v < V; ++v) {
    if (step_of[v] < 0) continue;
    if (last_read[v] < 0) last_read[v] = step_of[v];  // written, never read
    if (last_read[v] < int(m_steps.size())) m_steps[size_t(last_read[v])].release.push_back(int(v));
  }
  // 3. Bytes each step writes back (its last stored value), tiles of digital steps (where their
  // first input was assembled), and the global buffer's capacity at every step.
  std::vector<int> tile_of(V, 0);
  for (size_t s = 0; s < m_steps.size(); ++s) {
    Step& st = m_steps[s];
    int out = -1;
    for (int i : st.nodes) {
      const GraphNode& n = g.nodes[size_t(i)];
      if (step_of[size_t(n.output)] == int(s)) out = n.output;
    }
    st.out_value = out;
    if (out >= 0) st.out_bytes = uint64_t(numel(g.values[size_t(out)].shape)) * m_act_bytes;
    if (st.layer >= 0) {
      st.tile = map.layers[size_t(st.layer)].home_tiles[0];
    } else if (st.node >= 0) {
      st.tile = tile_of[size_t(g.nodes[size_t(st.node)].inputs[0])];
    }
    for (int i : st.nodes) tile_of[size_t(g.nodes[size_t(i)].output)] = st.tile;
  }
  // A value read only inside its own step streams through the digital unit; it is not stored.
  std::vector<char> stored(V, 0);
  for (size_t v = 0; v < V; ++v) stored[v] = step_of[v] >= 0 && last_read[v] > step_of[v];
  stored[size_t(g.input)] = 1;  // arrives from the I/O port
  for (const Step& st : m_steps) {
    for (int i = int(st.nodes.size()) - 1; i >= 0; --i) {  // the step's output
      const GraphNode& n = g.nodes[size_t(st.nodes[size_t(i)])];
      if (!(map.layer_of_node[size_t(st.nodes[size_t(i)])] < 0 && is_view(n.op))) {
        stored[size_t(n.output)] = 1;
        break;
      }
    }
  }
  for (size_t s = 0; s < m_steps.size(); ++s) {
    uint64_t live = 0;
    for (size_t v = 0; v < V; ++v) {
      if (stored[v] && step_of[v] <= int(s) && last_read[v] >= int(s))
        live += uint64_t(numel(g.values[v].shape)) * m_act_bytes;
    }
    m_peak_live = std::max(m_peak_live, live);
    // Images in flight are each at some step: the buffer must hold that many of the largest.
    const uint64_t need = live * uint64_t(m_in_flight_max);
    if (need > m_gbuf->size_bytes()) {
      throw Error(
          "chip.global_buffer.size = " + std::to_string(m_gbuf->size_bytes()) +
          " B cannot hold the values live at step '" + m_steps[s].name + "' (" +
          std::to_string(live) + " B of activations at " + std::to_string(m_act_bytes) + " B each" +
          (m_in_flight_max > 1
               ? ", times chip.pipeline.images_in_flight = " + std::to_string(m_in_flight_max)
               : std::string()) +
          ")");
    }
  }
  // The pipeline: which steps each step waits for, and the rows it tracks per value.
  m_base = base;
  m_chunks.assign(V, 1);
  for (size_t v = 0; v < V; ++v) {
    const Shape& sh = g.values[v].shape;
    if (m_pipelined && sh.size() == 3) m_chunks[v] = int(sh[1]);
  }
  for (size_t s = 0; s < m_steps.size(); ++s) {
    Step& st = m_steps[s];
    std::set<int> from;
    for (int i : st.nodes)
      for (int v : g.nodes[size_t(i)].inputs)
        for (int b : base[size_t(v)])
          if (b == g.input || step_of[size_t(b)] != int(s))
            from.insert(b == g.input ? -1 : step_of[size_t(b)]);
    if (!m_pipelined) from.insert(int(s) - 1);  // one step at a time, in order
    if (from.empty()) from.insert(-1);
    st.producers.assign(from.begin(), from.end());
    for (int p : st.producers)
      if (p >= 0) m_steps[size_t(p)].consumers.push_back(int(s));
  }
  // 4. Per analog step and tile: the input it receives, its blocks per copy, the partial sums
  // it adds and sends.
  m_work.resize(m_steps.size());
  for (size_t s = 0; s < m_steps.size(); ++s) {
    const Step& st = m_steps[s];
    if (st.layer < 0) continue;
    const GraphLayer& l = map.layers[size_t(st.layer)];
    const GraphNode& n = g.nodes[size_t(l.node)];
    const bool conv = n.op == GraphOp::Conv;
    const Shape& in = g.values[size_t(n.inputs[0])].shape;
    const int64_t kk = int64_t(n.kernel[0]) * n.kernel[1];
    const int64_t cg = conv ? in[0] / n.group : 0, plane = conv ? in[1] * in[2] : 1;
    for (int t : l.tiles) {
      TileWork w;
      w.tile = t;
      std::vector<char> used(size_t(conv ? in[0] : l.rows), 0);
      for (size_t k = 0; k < l.blocks.size(); ++k) {
        const GraphBlock& b = map.blocks[size_t(l.blocks[k])];
        if (b.tile != t) continue;
        const int rows_g = b.rows / b.packed;
        for (int j = 0; j < b.packed; ++j) {
          if (conv) {
            for (int64_t c = b.row0 / kk; c <= (b.row0 + rows_g - 1) / kk; ++c)
              used[size_t((b.group + j) * cg + c)] = 1;
          } else {
            std::fill(used.begin() + b.row0, used.begin() + b.row0 + rows_g, 1);
          }
        }
        if (w.copies.empty() || w.copies.back().copy != b.replica) {
          w.copies.push_back({});
          w.copies.back().copy = b.replica;
        }
        w.copies.back().local.push_back(int(k));
      }
      w.in_bytes = uint64_t(std::count(used.begin(), used.end(), 1)) * uint64_t(plane) *
                   uint64_t(m_act_bytes);
      // At once its arrays need a convolution's kernel height of input rows, or all the input.
      w.window_bytes =
          conv ? std::min(w.in_bytes, w.in_bytes / uint64_t(in[1]) * uint64_t(n.kernel[0]))
               : w.in_bytes;
      for (TileWork::Copy& c : w.copies) {
        std::map<std::pair<int, int>, int> inputs;  // (first group, first row) -> rows
        for (int k : c.local) {
          const GraphBlock& b = map.blocks[size_t(l.blocks[size_t(k)])];
          inputs[{b.group, b.row0}] = b.rows;
        }
        for (const auto& kv : inputs) c.vec_bytes += uint64_t(kv.second) * uint64_t(m_act_bytes);
      }
      for (TileWork::Copy& c : w.copies) {
        std::set<std::pair<int, int>> ranges;  // (first group, first column) of its outputs
        uint64_t total = 0, distinct = 0;
        for (int k : c.local) {
          const GraphBlock& b = map.blocks[size_t(l.blocks[size_t(k)])];
          total += uint64_t(b.cols);
          if (ranges.insert({b.group, b.col0}).second) distinct += uint64_t(b.cols);
        }
        if (l.home_tiles[size_t(c.copy)] == t) {
          c.contribution = total;  // added by the home tile's unit as the outputs assemble
        } else {
          c.local_adds = total - distinct;
          c.send_bytes = distinct * uint64_t(m_psum_bytes);
          c.contribution = distinct;
        }
      }
      m_work[s].push_back(std::move(w));
    }
    // The home tile's element operations per output pixel of each copy: the partial sums it
    // adds, the bias and the fused nodes.
    const uint64_t outputs = uint64_t(l.groups) * uint64_t(l.cols);
    Step& stm = m_steps[s];
    stm.copy_adds.assign(size_t(l.replicas), 0);
    for (const TileWork& w : m_work[s])
      for (const TileWork::Copy& cp : w.copies) stm.copy_adds[size_t(cp.copy)] += cp.contribution;
    for (uint64_t& o : stm.copy_adds) o -= outputs;
  }
}

void Chip::load(GraphAnalogNetwork& analog, StatGroup& layer_stats, EnergyLedger& layer_ledger) {
  m_analog = &analog;
  build_schedule();
  // A tile buffer must hold the input rows its cores read at once.
  if (const Buffer* tb = m_tiles[0]->buffer()) {
    for (size_t s = 0; s < m_steps.size(); ++s) {
      for (const TileWork& w : m_work[s]) {
        if (w.window_bytes <= tb->size_bytes()) continue;
        throw Error(m_tbuf_where + " = " + std::to_string(tb->size_bytes()) +
                    " B: smaller than the input rows step '" + m_steps[s].name +
                    "' needs at once on tile " + std::to_string(w.tile) + " (" +
                    std::to_string(w.window_bytes) +
                    " B: a convolution's kernel height of rows of the channels its arrays read, "
                    "or a dense layer's whole input)");
      }
    }
  }
  for (const Step& st : m_steps)
    m_layers.push_back(make_counters(st.name, layer_stats, layer_ledger));
  m_comp = make_counters("drift_compensation", layer_stats, layer_ledger);
  const int K = m_in_flight_max;
  for (size_t i = 0; i < m_steps.size(); ++i) {
    const std::string name = std::string(basename()) + "_stage" + std::to_string(i);
    m_stages.push_back(std::make_unique<StageModule>(name.c_str(), *this, int(i),
                                                     K * int(m_steps[i].producers.size()) + 1));
  }
  m_slots.resize(size_t(K));
  m_tokens.assign(m_steps.size(), std::vector<int>(size_t(K), 0));
  m_core_free.resize(m_steps.size());
  for (size_t i = 0; i < m_steps.size(); ++i)
    for (const TileWork& w : m_work[i])
      m_core_free[i].push_back(std::vector<Cycles>(w.copies.size()));
}

void Chip::set_inputs(const float* images, int64_t count, int64_t sample_size, OutputFn on_output) {
  m_images = images;
  m_count = count;
  m_sample = sample_size;
  m_on_output = std::move(on_output);
}

void count_ops(LayerCounters& lc, const OpCounts& ops) {
  *lc.digital_ops += ops.total();
  for (size_t k = 0; k < kOpKinds; ++k) *lc.digital_kind[k] += ops.n[k];
}

Transfer Chip::charge(LayerCounters& lc, uint64_t bytes, const Transfer& t) {
  *lc.bus_bytes += bytes;
  *lc.bus_actions += t.actions;
  return t;
}

namespace {
/// Part @p i of @p total split into @p parts (rows of a value): equal parts, the last one
/// taking the remainder.
uint64_t part_of(uint64_t total, size_t parts, size_t i) {
  const uint64_t each = total / parts;
  return i + 1 < parts ? each : total - each * (parts - 1);
}
}  // namespace

std::vector<Cycles> Chip::ready_of(const Image& im, int v) const {
  const std::vector<int>& b = m_base[size_t(v)];
  if (b.size() == 1 && b[0] == v) return im.ready[size_t(v)];
  Cycles t;  // a view: whole once all it reads is stored
  for (int x : b)
    for (Cycles c : im.ready[size_t(x)]) t = max(t, c);
  return {t};
}

std::vector<std::vector<Cycles>> Chip::deliver(LayerCounters& lc, const std::vector<Cycles>& ready,
                                               uint64_t bytes, const std::vector<int>& tiles,
                                               const std::vector<uint64_t>& share, bool buffered) {
  // A chunk that reaches a tile with a tile buffer is written into it before the cores see it.
  auto land = [&](size_t i, uint64_t b, Cycles at) {
    Buffer* tb = buffered ? m_tiles[size_t(tiles[i])]->buffer() : nullptr;
    if (!tb) return at;
    *lc.tile_buffer_write_bytes += b;
    return tb->access(at, b, true).done;
  };
  const size_t G = ready.size();
  std::vector<std::vector<Cycles>> arrive(tiles.size(), std::vector<Cycles>(G));
  // Chunks in the order they are ready; each chunk its part of the bytes (the last the rest).
  std::vector<size_t> order(G);
  for (size_t c = 0; c < G; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ready[a] < ready[b]; });
  for (size_t c : order) {
    const uint64_t chunk = part_of(bytes, G, c);
    const Cycles read = m_gbuf->access(ready[c], chunk, false).done;
    *lc.buffer_read_bytes += chunk;
    if (m_bus->multicasts()) {
      const std::vector<Transfer> tr = m_bus->fan_out(read, chunk, kGlobalBufferPort, tiles);
      for (size_t i = 0; i < tiles.size(); ++i) {
        charge(lc, i == 0 ? chunk : 0, tr[i]);
        arrive[i][c] = land(i, chunk, tr[i].done);
      }
    } else {
      for (size_t i = 0; i < tiles.size(); ++i) {
        const uint64_t b = part_of(share[i], G, c);
        arrive[i][c] =
            land(i, b, charge(lc, b, m_bus->transfer(read, b, kGlobalBufferPort, tiles[i])).done);
      }
    }
  }
  for (auto& a : arrive)
    for (size_t c = 1; c < G; ++c) a[c] = max(a[c], a[c - 1]);
  return arrive;
}

Cycles Chip::store(LayerCounters& lc, Cycles at, uint64_t bytes, int from) {
  *m_tiles[size_t(from)]->s_out_bytes += bytes;
  *lc.tile_out_bytes += bytes;
  const Transfer x = charge(lc, bytes, m_bus->transfer(at, bytes, from, kGlobalBufferPort));
  *lc.buffer_write_bytes += bytes;
  return m_gbuf->access(x.done, bytes, true).done;
}

void Chip::schedule_analog(int s, Image& im, Cycles floor) {
  const Step& st = m_steps[size_t(s)];
  const Graph& g = m_analog->graph();
  const GraphLayer& l = m_analog->mapping().layers[size_t(st.layer)];
  const GraphNode& n = g.nodes[size_t(l.node)];
  LayerCounters& lc = m_layers[size_t(s)];
  const std::vector<TileWork>& work = m_work[size_t(s)];
  // 1. The input rows leave the global buffer for the tiles as they are stored: the whole input
  // multicast, or each tile the rows its arrays need.
  std::vector<Cycles> rin = ready_of(im, n.inputs[0]);
  for (Cycles& c : rin) c = max(c, floor);
  std::vector<int> tiles;
  std::vector<uint64_t> share;
  for (const TileWork& w : work) {
    tiles.push_back(w.tile);
    share.push_back(w.in_bytes);
  }
  const std::vector<std::vector<Cycles>> arrive = deliver(lc, rin, st.in_bytes, tiles, share, true);
  // Which input row an output row needs last (a convolution's window; all rows otherwise).
  const bool conv = n.op == GraphOp::Conv;
  const int64_t Gi = int64_t(rin.size());
  const Shape& out_shape = g.values[size_t(n.output)].shape;
  const int64_t H_out = conv ? out_shape[1] : 1, W_out = l.pixels / H_out;
  auto last_row = [&](int64_t r) -> size_t {
    if (Gi == 1 || !conv) return size_t(Gi - 1);
    const int64_t hi = r * n.stride[0] - n.pad[0] + int64_t(n.kernel[0] - 1) * n.dilation[0];
    return size_t(std::clamp<int64_t>(hi, 0, Gi - 1));
  };
  // 2. Each copy's cores run in lockstep, one output pixel after another, once the rows it
  // needs are at the tile; partial sums are added locally and sent to the copy's home tile.
  const size_t P = size_t(l.pixels);
  std::vector<Cycles> at_home(P);
  uint64_t busiest = 0;
  for (size_t wi = 0; wi < work.size(); ++wi) {
    const TileWork& w = work[wi];
    TileModule& tm = *m_tiles[size_t(w.tile)];
    Buffer* tbuf = tm.buffer();
    Interconnect* tbus = tm.bus();
    for (size_t ci = 0; ci < w.copies.size(); ++ci) {
      const TileWork::Copy& c = w.copies[ci];
      const std::vector<uint32_t>& px = im.px[size_t(s)][wi][ci];
      Cycles& free = m_core_free[size_t(s)][wi][ci];
      Cycles t = free, fetched;
      uint64_t busy = 0;
      size_t j = 0;
      for (size_t p = size_t(c.copy); p < P; p += size_t(l.replicas), ++j) {
        Cycles a = arrive[wi][last_row(int64_t(p) / W_out)];
        if (tbuf || tbus) {
          // The pixel's input vector: read from the tile buffer and carried on the tile bus
          // into the cores' input registers, at most one vector ahead of the MVMs.
          Cycles r = max(max(a, fetched), j == 0 ? free : t - Cycles(px[j - 1]));
          if (tbuf) {
            r = tbuf->access(r, c.vec_bytes, false).done;
            *lc.tile_buffer_read_bytes += c.vec_bytes;
          }
          if (tbus) {
            r = tbus->transfer(r, c.vec_bytes, kGlobalBufferPort, 0).done;
            *lc.tile_bus_bytes += c.vec_bytes;
          }
          fetched = r;
          a = r;
        }
        if (j == 0) {
          *lc.core_stall += a < free ? (free - a).count() : 0;
        } else if (a > t) {
          *lc.input_stall += (a - t).count();
        }
        t = max(t, a) + Cycles(px[j]);
        busy += px[j];
        Cycles done = t;
        if (c.send_bytes) {
          if (c.local_adds) {
            const OpCounts adds = OpCounts::of(OpKind::Add, c.local_adds);
            done = tm.digital().execute(done, adds).done;
            count_ops(lc, adds);
          }
          done = charge(lc, c.send_bytes,
                        m_bus->transfer(done, c.send_bytes, w.tile, l.home_tiles[size_t(c.copy)]))
                     .done;
        }
        at_home[p] = max(at_home[p], done);
      }
      free = t;
      busiest = std::max(busiest, busy);
    }
  }
  *lc.busy += busiest;
  // 3. Each copy's home tile adds the partial sums of each output pixel as they arrive, then
  // the bias and the fused element-wise nodes (the units serve pixels in arrival order).
  std::vector<size_t> order(P);
  for (size_t p = 0; p < P; ++p) order[p] = p;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return at_home[a] < at_home[b]; });
  std::vector<Cycles> assembled(P);
  for (size_t p : order) {
    const size_t c = p % size_t(l.replicas);
    OpCounts ops = st.fused_ops.part(P, p);
    ops[OpKind::Add] += st.copy_adds[c];
    assembled[p] = at_home[p];
    if (ops.total() == 0) continue;
    assembled[p] = m_tiles[size_t(l.home_tiles[c])]->digital().execute(at_home[p], ops).done;
    count_ops(lc, ops);
  }
  // 4. Each output row goes back to the global buffer from the home tiles once assembled.
  const int64_t Go = st.out_value >= 0 ? m_chunks[size_t(st.out_value)] : 1;
  const int64_t rows_per_chunk = Go == H_out ? 1 : H_out;
  std::vector<Cycles>& out = im.ready[size_t(st.out_value)];
  out.assign(size_t(Go), Cycles());
  for (int64_t r = 0; r < Go; ++r) {
    const size_t p0 = size_t(r * rows_per_chunk * W_out),
                 p1 = size_t((r + 1) * rows_per_chunk * W_out);
    std::vector<uint64_t> px_at(size_t(m_tiles_n), 0);
    std::vector<Cycles> last(static_cast<size_t>(m_tiles_n));
    for (size_t p = p0; p < p1; ++p) {
      const int home = l.home_tiles[p % size_t(l.replicas)];
      ++px_at[size_t(home)];
      last[size_t(home)] = max(last[size_t(home)], assembled[p]);
    }
    for (int t = 0; t < m_tiles_n; ++t) {
      if (px_at[size_t(t)] == 0) continue;
      const uint64_t bytes = st.out_bytes * px_at[size_t(t)] / P;
      out[size_t(r)] = max(out[size_t(r)], store(lc, last[size_t(t)], bytes, t));
    }
  }
}

void Chip::schedule_digital(int s, Image& im, Cycles floor) {
  const Step& st = m_steps[size_t(s)];
  const Graph& g = m_analog->graph();
  LayerCounters& lc = m_layers[size_t(s)];
  OpCounts ops = st.ops;
  ops += st.fused_ops;
  if (st.out_value < 0 || (ops.total() == 0 && st.in_bytes == 0)) return;  // views only
  const GraphNode& n = g.nodes[size_t(st.node)];
  const int64_t Go = m_chunks[size_t(st.out_value)];
  const Shape& os = g.values[size_t(st.out_value)].shape;
  const bool pool = n.op == GraphOp::MaxPool || n.op == GraphOp::AveragePool;
  // 1. Each input's rows to the tile's unit as they are stored.
  std::vector<std::vector<Cycles>> arrive;
  for (int v : n.inputs) {
    std::vector<Cycles> r = ready_of(im, v);
    for (Cycles& c : r) c = max(c, floor);
    const uint64_t bytes = uint64_t(numel(g.values[size_t(v)].shape)) * m_act_bytes;
    arrive.push_back(deliver(lc, r, bytes, {st.tile}, {bytes}, false)[0]);
  }
  // 2. Output rows one after another, each once the input rows it reads have arrived (a
  // pooling window; the same row of an input as tall as the output; else all), then stored.
  DigitalUnit& unit = m_tiles[size_t(st.tile)]->digital();
  std::vector<Cycles>& out = im.ready[size_t(st.out_value)];
  out.assign(size_t(Go), Cycles());
  uint64_t busy = 0;
  for (int64_t r = 0; r < Go; ++r) {
    Cycles a;
    for (const std::vector<Cycles>& in : arrive) {
      const int64_t Gi = int64_t(in.size());
      int64_t hi = Gi - 1;
      if (Go > 1 && pool && Gi > 1) {
        hi = std::clamp<int64_t>(r * n.stride[0] - n.pad[0] + n.kernel[0] - 1, 0, Gi - 1);
      } else if (Go > 1 && Gi == Go && os.size() == 3) {
        hi = r;
      }
      a = max(a, in[size_t(hi)]);
    }
    const OpCounts row_ops = ops.part(uint64_t(Go), uint64_t(r));
    const Slot x = unit.execute(a, row_ops);
    busy += (x.done - x.start).count();
    count_ops(lc, row_ops);
    out[size_t(r)] = store(lc, x.done, part_of(st.out_bytes, size_t(Go), size_t(r)), st.tile);
  }
  *lc.busy += busy;
}

void Chip::stage(int s) {
  StageModule& me = *m_stages[size_t(s)];
  const Step& st = m_steps[size_t(s)];
  const size_t K = m_slots.size();
  const Graph& g = m_analog->graph();  // stages exist once a graph is loaded
  for (int64_t img = 0; img < m_count; ++img) {
    const size_t slot = size_t(img) % K;
    while (m_tokens[size_t(s)][slot] < int(st.producers.size())) {
      ++m_tokens[size_t(s)][size_t(me.inbox.read()) % K];
    }
    m_tokens[size_t(s)][slot] = 0;
    Image& im = m_slots[slot];
    // Wake when the first input row it needs is stored (one step at a time: when the step
    // before it has finished).
    Cycles floor;
    if (!m_pipelined) floor = s == 0 ? im.in : im.end[size_t(s - 1)];
    Cycles first;
    bool any = false;
    for (int i : st.nodes) {
      for (int v : g.nodes[size_t(i)].inputs) {
        for (int b : m_base[size_t(v)]) {
          if (im.ready[size_t(b)].empty()) continue;
          const Cycles c =
              *std::min_element(im.ready[size_t(b)].begin(), im.ready[size_t(b)].end());
          first = any ? std::min(first, c) : c;
          any = true;
        }
      }
    }
    const Cycles wake = max(any ? first : im.in, floor);
    wait_until(wake);
    if (st.layer >= 0) {
      schedule_analog(s, im, floor);
    } else {
      schedule_digital(s, im, floor);
    }
    Cycles end = wake;
    if (st.out_value >= 0)
      for (Cycles c : im.ready[size_t(st.out_value)]) end = max(end, c);
    im.end[size_t(s)] = end;
    *m_layers[size_t(s)].cycles += (end - wake).count();
    for (int c : st.consumers) m_stages[size_t(c)]->inbox.write(img);
    ++im.stages_done;
    m_stage_done.notify(sc_core::SC_ZERO_TIME);
    m_events += st.consumers.size() + 1;
  }
}

void Chip::compensation_phase() {
  // Drift compensation: every array runs its one-hot readouts (reference and at the evaluation
  // time), all cores in parallel, before the first image.
  const GraphMapping& map = m_analog->mapping();
  std::vector<Cycles> busy(size_t(m_tiles_n * m_cores_n));
  Cycles longest;
  for (size_t b = 0; b < map.blocks.size(); ++b) {
    const MvmResult& r = m_analog->compensation_work(int(b));
    if (r.passes == 0) continue;
    const GraphBlock& blk = map.blocks[b];
    const uint64_t n = uint64_t(r.passes);
    const Cycles t = mvm_cycles(blk.cols, n, r.in_lsbs, r.out_lsbs);
    const uint64_t phases = reads_per_pass();
    Cycles& core_busy = busy[size_t(blk.tile * m_cores_n + blk.core)];
    core_busy = core_busy + t;
    longest = max(longest, core_busy);
    CoreModule& core = *m_tiles[size_t(blk.tile)]->cores()[size_t(blk.core)];
    core.s_mvms += n;
    core.s_dac += n * phases * uint64_t(blk.rows);
    core.s_adc += n * phases * uint64_t(blk.cols);
    core.s_x2g += r.x2g;
    core.s_busy += t.count();
    core.s_adc_busy += adc_cycles(blk.cols, n, r.out_lsbs).count();
    *m_comp.mvms += n;
    *m_comp.dac_conversions += n * phases * uint64_t(blk.rows);
    *m_comp.adc_conversions += n * phases * uint64_t(blk.cols);
    *m_comp.x2g += r.x2g;
  }
  const Cycles t0 = now();
  wait_until(t0 + longest);
  m_comp_cycles = now() - t0;
  *m_comp.cycles += m_comp_cycles.count();
}

void Chip::admit(Image& im, int64_t img) {
  const Graph& g = m_analog->graph();
  const GraphMapping& map = m_analog->mapping();
  m_analog->begin(m_images + img * m_sample, img);
  im.index = img;
  im.ready.assign(g.values.size(), {});
  im.end.assign(m_steps.size(), Cycles());
  im.px.resize(m_steps.size());
  im.stages_done = 0;
  const uint64_t phases = reads_per_pass();
  // The values, step by step; for each analog step the cycles of each pixel of each copy's
  // stream (its slowest array's MVM, bound-management passes and converter codes included).
  for (size_t s = 0; s < m_steps.size(); ++s) {
    const Step& st = m_steps[s];
    for (int i : st.nodes) m_analog->run_node(i);
    if (st.layer >= 0) {
      const GraphLayer& l = map.layers[size_t(st.layer)];
      LayerCounters& lc = m_layers[s];
      const std::vector<MvmCost>& costs = m_analog->costs(st.layer);
      const std::vector<double>& x2g = m_analog->x2g(st.layer);
      const size_t P = size_t(l.pixels);
      im.px[s].resize(m_work[s].size());
      for (size_t wi = 0; wi < m_work[s].size(); ++wi) {
        const TileWork& w = m_work[s][wi];
        TileModule& tm = *m_tiles[size_t(w.tile)];
        im.px[s][wi].resize(w.copies.size());
        for (size_t ci = 0; ci < w.copies.size(); ++ci) {
          const TileWork::Copy& c = w.copies[ci];
          std::vector<uint32_t>& px = im.px[s][wi][ci];
          px.clear();
          std::vector<uint64_t> busy(c.local.size(), 0), passes(c.local.size(), 0),
              adc(c.local.size(), 0);
          for (size_t p = size_t(c.copy); p < P; p += size_t(l.replicas)) {
            uint64_t d = 0;
            for (size_t j = 0; j < c.local.size(); ++j) {
              const size_t k = size_t(c.local[j]);
              const GraphBlock& b = map.blocks[size_t(l.blocks[k])];
              const MvmCost& mc = costs[k * P + p];
              const uint64_t cyc = mvm_cycles(b.cols, mc.passes, mc.in_lsbs, mc.out_lsbs).count();
              busy[j] += cyc;
              adc[j] += adc_cycles(b.cols, mc.passes, mc.out_lsbs).count();
              passes[j] += mc.passes;
              d = std::max(d, cyc);
            }
            px.push_back(uint32_t(d));
          }
          const uint64_t pixels = px.size();
          for (size_t j = 0; j < c.local.size(); ++j) {
            const size_t k = size_t(c.local[j]);
            const GraphBlock& b = map.blocks[size_t(l.blocks[k])];
            const uint64_t n = passes[j];
            CoreModule& core = *tm.cores()[size_t(b.core)];
            core.s_mvms += n;
            core.s_bm += n - pixels;
            core.s_dac += n * phases * uint64_t(b.rows);
            core.s_adc += n * phases * uint64_t(b.cols);
            core.s_x2g += x2g[k];
            core.s_busy += busy[j];
            core.s_adc_busy += adc[j];
            *lc.mvms += n;
            *lc.bm_repeats += n - pixels;
            *lc.dac_conversions += n * phases * uint64_t(b.rows);
            *lc.adc_conversions += n * phases * uint64_t(b.cols);
            *lc.x2g += x2g[k];
          }
        }
      }
    }
    for (int v : st.release) m_analog->release(v);
  }
  im.logits = m_analog->value(g.output);
}

void Chip::controller() {
  if (!m_analog || !m_images) return;
  compensation_phase();
  m_start = now();
  // Utilization counts the images' work: the compensation readouts' is set aside.
  m_core_busy0.clear();
  for (const auto& t : m_tiles)
    for (const auto& c : t->cores())
      m_core_busy0.push_back({c->s_busy.count(), c->s_adc_busy.count()});
  const Graph& g = m_analog->graph();
  for (int64_t img = 0; img < m_count; ++img) {
    while (m_in_flight >= m_in_flight_max) wait(m_slot_free);
    ++m_in_flight;
    Image& im = m_slots[size_t(img) % m_slots.size()];
    im.t0 = now();
    admit(im, img);
    // The image arrives through the I/O port into the global buffer, all rows at once.
    const uint64_t in_bytes = uint64_t(m_sample) * uint64_t(m_act_bytes);
    const Cycles io = m_io->transfer(now(), in_bytes, kOffChipPort, kGlobalBufferPort).done;
    im.in = m_gbuf->access(io, in_bytes, true).done;
    im.ready[size_t(g.input)].assign(size_t(m_chunks[size_t(g.input)]), im.in);
    for (size_t s = 0; s < m_steps.size(); ++s) {
      const std::vector<int>& pr = m_steps[s].producers;
      if (std::find(pr.begin(), pr.end(), -1) != pr.end()) {
        m_stages[s]->inbox.write(img);
        ++m_events;
      }
    }
  }
}

void Chip::retire() {
  if (!m_analog || !m_images) return;
  const Graph& g = m_analog->graph();
  for (int64_t img = 0; img < m_count; ++img) {
    Image& im = m_slots[size_t(img) % m_slots.size()];
    while (im.index != img || im.stages_done < int(m_steps.size())) wait(m_stage_done);
    // The output leaves through the I/O port once stored.
    Cycles out;
    for (Cycles c : ready_of(im, g.output)) out = max(out, c);
    const uint64_t out_bytes = im.logits.size() * uint64_t(m_act_bytes);
    const Cycles read = m_gbuf->access(out, out_bytes, false).done;
    wait_until(m_io->transfer(read, out_bytes, kGlobalBufferPort, kOffChipPort).done);
    const Cycles latency = now() - im.t0;
    if (img == 0) m_first_latency = m_min_latency = latency;
    m_min_latency = std::min(m_min_latency, latency);
    m_max_latency = std::max(m_max_latency, latency);
    m_latency_sum += latency.count();
    m_done_at.push_back(now() - m_start);
    ++*s_images;
    ++m_done;
    if (m_on_output) m_on_output(img, im.logits);
    im.index = -1;
    --m_in_flight;
    m_slot_free.notify(sc_core::SC_ZERO_TIME);
    ++m_events;
  }
  m_total = now() - m_start;
}

Chip::PeakPower Chip::peak_power() const {
  PeakPower pp;
  const double f = m_clock.freq_ghz();
  const ArrayModel& a = *m_array;
  const Dac& dac = *m_dac;
  const Adc& adc = *m_adc;
  // 1. One core reading back to back at full scale: the longest input pulse, the largest code
  // on every ADC, every device at g_max with full-scale inputs.
  const uint64_t rounds = ceil_div(uint64_t(a.cols()), uint64_t(m_adcs));
  const double in_fs = double((1 << (dac.bits() - 1)) - 1);
  const double out_fs = double((1 << (adc.bits() - 1)) - 1);
  const uint64_t in_lsbs = uint64_t(in_fs), out_lsbs = uint64_t(out_fs) * rounds;
  // One read of a full-scale MVM (an MVM is reads_per_pass() reads): without overlap both
  // stages with the codes' times, as mvm_cycles() charges; with it, the longer of the two.
  const auto [front, back] = read_stages(a.cols());
  const double value_ns =
      dac.cost().ns_per_lsb * double(in_lsbs) + adc.cost().ns_per_lsb * double(out_lsbs);
  Cycles read = front + back + (value_ns > 0 ? m_clock.cycles_for_ns(value_ns) : Cycles(0));
  if (m_periphery.overlap) {
    read = max(front + m_clock.cycles_for_ns(dac.cost().ns_per_lsb * double(in_lsbs)),
               back + m_clock.cycles_for_ns(adc.cost().ns_per_lsb * double(out_lsbs)));
  }
  const double read_ns = m_clock.to_ns(read);
  const double rows = a.rows(), cols = a.cols();
  const CorePeriphery& pe = m_periphery;
  auto& core = pp.per_core;
  core["array"] = a.read_energy_pj(rows * cols * m_device->g_max_uS()) / read_ns + a.leakage_mw();
  core["dac"] = rows * dac.cost().energy_pj / read_ns + rows * dac.cost().leakage_mw;
  core["adc"] = cols * adc.cost().energy_pj / read_ns + m_adcs * adc.cost().leakage_mw;
  core["periphery"] = (rows * input_register_pj() + cols * per_conversion_pj()) / read_ns +
                      cols * pe.sample_hold.leakage_mw +
                      pe.shift_add_units * pe.shift_add.leakage_mw + pe.input_register.leakage_mw +
                      pe.output_register.leakage_mw;
  // 2. A tile: its cores; its units, buffer and bus at full width; its output register taking
  // every weight's output (cores x columns / arrays per weight) once per MVM; its share of the
  // interconnect.
  const TileModule& t0 = *m_tiles[0];
  auto& tile = pp.per_tile;
  for (const auto& kv : core) tile[kv.first] = kv.second * m_cores_n;
  const double mvm_ns = read_ns * double(reads_per_pass());
  const double outputs = double(m_cores_n) * cols / double(m_encoding.levels());
  tile["periphery"] += m_tile_or.energy_pj * outputs * m_act_bytes / mvm_ns + m_tile_or.leakage_mw;
  tile["digital"] += t0.digital().peak_mw(f);
  if (t0.buffer()) tile["buffer"] += t0.buffer()->peak_mw(f);
  if (t0.bus()) tile["interconnect"] += t0.bus()->peak_mw(f);
  tile["interconnect"] += m_bus->peak_mw(f) / m_tiles_n;
  // 3. The chip: its tiles, the global buffer and the I/O port.
  for (const auto& kv : tile) pp.chip[kv.first] = kv.second * m_tiles_n;
  pp.chip["buffer"] += m_gbuf->peak_mw(f);
  pp.chip["interconnect"] += m_io->peak_mw(f);
  for (const auto& kv : tile) pp.tile_mw += kv.second;
  for (const auto& kv : pp.chip) pp.chip_mw += kv.second;
  pp.mvm_ns = mvm_ns;
  pp.peak_tops = 2.0 * rows * cols * double(m_tiles_n) * double(m_cores_n) /
                 double(m_encoding.levels()) / mvm_ns * 1e-3;
  return pp;
}

std::map<std::string, double> Chip::tile_area_um2() const {
  std::map<std::string, double> a = m_ledger.area_by_class_um2(m_tiles[0]->stats().full_name());
  const std::map<std::string, double> ic =
      m_ledger.area_by_class_um2(m_stats.full_name() + ".interconnect");
  for (const auto& kv : ic) a[kv.first] += kv.second / m_tiles_n;
  return a;
}

int Chip::bottleneck_step() const {
  int best = 0;
  for (size_t i = 1; i < m_layers.size(); ++i)
    if (m_layers[i].busy->count() > m_layers[size_t(best)].busy->count()) best = int(i);
  return best;
}

double Chip::steady_interval() const {
  const size_t n = m_done_at.size();
  if (n == 0) return 0.0;
  if (n < 4) return double(m_done_at.back().count()) / double(n);
  // The mean interval over the second half of the exits. With several images in flight, some
  // of those images did part of their work before the window opened, so the window can read
  // short; the busiest stage's work per image bounds the interval from below as well.
  const size_t h = n / 2;
  const double window = double((m_done_at.back() - m_done_at[h - 1]).count()) / double(n - h);
  const double stage = m_layers.empty()
                           ? 0.0
                           : double(m_layers[size_t(bottleneck_step())].busy->count()) / double(n);
  return std::max(window, stage);
}

double Chip::Utilization::of_all(Cycles run) const {
  return units && run.count() ? double(busy) / (double(units) * double(run.count())) : 0.0;
}

double Chip::Utilization::of_used(Cycles run) const {
  return used && run.count() ? double(busy) / (double(used) * double(run.count())) : 0.0;
}

std::vector<Chip::Utilization> Chip::utilization() const {
  std::vector<Utilization> u;
  auto row = [&u](const std::string& name, const std::vector<uint64_t>& busy) {
    Utilization r;
    r.name = name;
    r.units = busy.size();
    for (uint64_t b : busy) {
      r.used += b > 0;
      r.busy += b;
      r.busiest = std::max(r.busiest, b);
    }
    u.push_back(r);
  };
  std::vector<uint64_t> mvm, adc, tbuf, tbus, digital;
  size_t k = 0;
  for (const auto& t : m_tiles) {
    for (const auto& c : t->cores()) {
      const auto z = k < m_core_busy0.size() ? m_core_busy0[k] : std::pair<uint64_t, uint64_t>{};
      mvm.push_back(c->s_busy.count() - z.first);
      adc.push_back(c->s_adc_busy.count() - z.second);
      ++k;
    }
    if (t->buffer())
      for (uint64_t b : t->buffer()->port_busy()) tbuf.push_back(b);
    if (t->bus())
      for (uint64_t b : t->bus()->link_busy()) tbus.push_back(b);
    digital.push_back(t->digital().busy_cycles());
  }
  row("arrays", mvm);
  row("adc banks", adc);
  row("interconnect links", m_bus->link_busy());
  row("i/o", m_io->link_busy());
  row("global buffer ports", m_gbuf->port_busy());
  if (!tbuf.empty()) row("tile buffer ports", tbuf);
  if (!tbus.empty()) row("tile buses", tbus);
  row("digital units", digital);
  return u;
}

}  // namespace pcmsim
