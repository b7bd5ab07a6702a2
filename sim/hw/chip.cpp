#include "sim/hw/chip.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/framework/error.h"
#include "sim/framework/registry.h"

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
      s_busy(m_stats.counter("busy_cycles", "cycles", "cycles spent in MVMs")) {}

TileModule::TileModule(sc_module_name name, Chip& chip, int index, Params& p,
                       const std::string& stat_name, StatGroup& parent)
    : sc_module(name), jobs(1), m_chip(chip), m_index(index), m_stats(stat_name, &parent) {
  Params dp = p.child("digital");
  m_digital = Registry<DigitalUnit>::create(dp);
  SC_THREAD(run);
}

void TileModule::run() {
  for (;;) {
    int s = -1;
    jobs.read(s);
    m_chip.tile_step(m_index, s);
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
  m_bus->connect(m_tiles_n);
  Params iop = p.child("io");
  m_io = Registry<Interconnect>::create(iop);
  m_io->attach(m_stats, "io", ledger);
  m_io->connect(m_tiles_n);
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
  m_numerics.record_input_codes = m_dac->coding() == InputCoding::Duration;
  m_numerics.cols_per_adc =
      m_adc->cost().ns_per_lsb > 0 ? int(ceil_div(uint64_t(m_array->cols()), uint64_t(m_adcs))) : 0;
  // Ideal numerics stay exact: no IR drop either.
  m_numerics.ir_drop =
      ideal ? 0.0 : m_array->r_wire_ohm() * m_device->g_max_uS() * 1e-6;  // ohm x S

  for (int t = 0; t < m_tiles_n; ++t) {
    std::string tn = "tile" + std::to_string(t);
    m_tiles.push_back(std::make_unique<TileModule>(tn.c_str(), *this, t, tp, tn, m_stats));
    TileModule& tile = *m_tiles.back();
    tile.digital().attach(tile.stats(), "digital", ledger);
    for (int c = 0; c < m_cores_n; ++c) {
      tile.cores().push_back(
          std::make_unique<CoreModule>("core" + std::to_string(c), tile.stats()));
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

Cycles Chip::mvm_cycles(int cols, uint64_t passes, uint64_t in_lsbs, uint64_t out_lsbs) const {
  // 1. DAC settle, 2. integration on the array (duration coding: the longest pulse, below),
  // 3. conversions: ceil(cols / ADCs) rounds.
  const uint64_t rounds = ceil_div(uint64_t(cols), uint64_t(m_adcs));
  Cycles pass = m_dac->cost().latency + m_adc->cost().latency * rounds;
  if (m_dac->coding() != InputCoding::Duration)
    pass = pass + m_clock.cycles_for_ns(m_array->t_int_ns());
  const double value_ns =
      m_dac->cost().ns_per_lsb * double(in_lsbs) + m_adc->cost().ns_per_lsb * double(out_lsbs);
  const Cycles value = value_ns > 0 ? m_clock.cycles_for_ns(value_ns) : Cycles(0);
  return (pass * passes + value) * uint64_t(m_dac->phases());
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
  lc.cycles = &g.counter("cycles", "cycles", "cycles spent, summed over images");
  lc.bm_repeats = &g.counter("bm_repeats", "mvms", "MVMs repeated by bound management");
  std::string path = g.full_name();
  ledger.bind(path, "array", *lc.x2g, m_array->read_energy_pj(1.0));
  ledger.bind(path, "dac", *lc.dac_conversions, m_dac->cost().energy_pj);
  ledger.bind(path, "adc", *lc.adc_conversions, m_adc->cost().energy_pj);
  ledger.bind(path, "interconnect", *lc.bus_actions, m_bus->pj_per_action());
  ledger.bind(path, "buffer", *lc.buffer_read_bytes, m_gbuf->read_pj_per_byte());
  ledger.bind(path, "buffer", *lc.buffer_write_bytes, m_gbuf->write_pj_per_byte());
  ledger.bind(path, "digital", *lc.digital_ops, m_tiles[0]->digital().pj_per_op());
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
      m_steps.back().fused_ops += uint64_t(digital_ops(g, n));
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
      if (!n.bias.data.empty()) st.fused_ops = uint64_t(numel(g.values[size_t(n.output)].shape));
    } else {
      for (int v : n.inputs)
        st.in_bytes += uint64_t(numel(g.values[size_t(v)].shape)) * m_act_bytes;
      st.ops = uint64_t(digital_ops(g, n));
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
    if (live > m_gbuf->size_bytes()) {
      throw Error("chip.global_buffer.size = " + std::to_string(m_gbuf->size_bytes()) +
                  " B cannot hold the values live at step '" + m_steps[s].name + "' (" +
                  std::to_string(live) + " B of activations at " + std::to_string(m_act_bytes) +
                  " B each)");
    }
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
    stm.copy_ops.assign(size_t(l.replicas), ceil_div(stm.fused_ops, uint64_t(l.pixels)));
    for (const TileWork& w : m_work[s])
      for (const TileWork::Copy& cp : w.copies) stm.copy_ops[size_t(cp.copy)] += cp.contribution;
    for (uint64_t& o : stm.copy_ops) o -= outputs;
  }
}

void Chip::load(GraphAnalogNetwork& analog, StatGroup& layer_stats, EnergyLedger& layer_ledger) {
  m_analog = &analog;
  build_schedule();
  for (const Step& st : m_steps)
    m_layers.push_back(make_counters(st.name, layer_stats, layer_ledger));
  m_comp = make_counters("drift_compensation", layer_stats, layer_ledger);
}

void Chip::set_inputs(const float* images, int64_t count, int64_t sample_size, OutputFn on_output) {
  m_images = images;
  m_count = count;
  m_sample = sample_size;
  m_on_output = std::move(on_output);
}

Transfer Chip::charge(LayerCounters& lc, uint64_t bytes, const Transfer& t) {
  *lc.bus_bytes += bytes;
  *lc.bus_actions += t.actions;
  return t;
}

void Chip::tile_step(int tile, int s) {
  const GraphMapping& map = m_analog->mapping();
  const GraphLayer& l = map.layers[size_t(m_steps[size_t(s)].layer)];
  const TileWork* wp = nullptr;
  for (const TileWork& w : m_work[size_t(s)])
    if (w.tile == tile) wp = &w;
  const TileWork& w = *wp;
  LayerCounters& lc = m_layers[size_t(s)];
  TileModule& tm = *m_tiles[size_t(tile)];
  // 1. The input rows its arrays need arrived over the interconnect (run_analog_step).
  const Cycles in_done = m_in_done[size_t(tile)];
  const std::vector<MvmCost>& costs = m_analog->costs(m_steps[size_t(s)].layer);
  const std::vector<double>& x2g = m_analog->x2g(m_steps[size_t(s)].layer);
  const size_t P = size_t(l.pixels);
  // 2. Each copy's cores run in lockstep, one output pixel after another: a pixel takes the
  // longest of its arrays' MVMs (bound-management passes included).
  struct Done {
    Cycles at;
    int64_t p;
    const TileWork::Copy* c;
  };
  std::vector<Done> done;
  Cycles end = in_done;
  const uint64_t phases = uint64_t(m_dac->phases());
  for (const TileWork::Copy& c : w.copies) {
    std::vector<uint64_t> busy(c.local.size(), 0), passes(c.local.size(), 0);
    std::vector<int> cols(c.local.size());
    for (size_t j = 0; j < c.local.size(); ++j)
      cols[j] = map.blocks[size_t(l.blocks[size_t(c.local[j])])].cols;
    Cycles t = in_done;
    for (size_t p = size_t(c.copy); p < P; p += size_t(l.replicas)) {
      uint64_t d = 0;
      for (size_t j = 0; j < c.local.size(); ++j) {
        const size_t k = size_t(c.local[j]);
        const MvmCost& mc = costs[k * P + p];
        const uint64_t cyc = mvm_cycles(cols[j], mc.passes, mc.in_lsbs, mc.out_lsbs).count();
        busy[j] += cyc;
        passes[j] += mc.passes;
        d = std::max(d, cyc);
      }
      t = t + Cycles(d);
      done.push_back({t, int64_t(p), &c});
    }
    end = max(end, t);
    const uint64_t pixels = (P - size_t(c.copy) + size_t(l.replicas) - 1) / size_t(l.replicas);
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
      *lc.mvms += n;
      *lc.bm_repeats += n - pixels;
      *lc.dac_conversions += n * phases * uint64_t(b.rows);
      *lc.adc_conversions += n * phases * uint64_t(b.cols);
      *lc.x2g += x2g[k];
    }
  }
  // 3. Outputs assembled here are ready for the home tile's unit; the others are added up
  // locally and sent, in the order they finish.
  std::stable_sort(done.begin(), done.end(),
                   [](const Done& a, const Done& b) { return a.at < b.at; });
  for (const Done& d : done) {
    if (d.c->send_bytes == 0) {
      m_ready[size_t(d.p)] = max(m_ready[size_t(d.p)], d.at);
      continue;
    }
    Cycles at = d.at;
    if (d.c->local_adds) {
      at = tm.digital().execute(at, d.c->local_adds).done;
      *lc.digital_ops += d.c->local_adds;
    }
    wait_until(at);
    const Transfer x =
        charge(lc, d.c->send_bytes,
               m_bus->transfer(now(), d.c->send_bytes, tile, l.home_tiles[size_t(d.c->copy)]));
    m_ready[size_t(d.p)] = max(m_ready[size_t(d.p)], x.done);
  }
  wait_until(end);
  if (--m_pending_tiles == 0) m_tiles_done.notify(sc_core::SC_ZERO_TIME);
}

void Chip::run_analog_step(int s) {
  const Step& st = m_steps[size_t(s)];
  const GraphMapping& map = m_analog->mapping();
  const GraphLayer& l = map.layers[size_t(st.layer)];
  LayerCounters& lc = m_layers[size_t(s)];
  // 1. The layer input leaves the global buffer for the tiles holding the layer's arrays: the
  // whole input multicast, or each tile the rows its arrays need.
  wait_until(m_gbuf->access(now(), st.in_bytes, false).done);
  *lc.buffer_read_bytes += st.in_bytes;
  m_in_done.assign(size_t(m_tiles_n), Cycles(0));
  const std::vector<TileWork>& work = m_work[size_t(s)];
  if (m_bus->multicasts()) {
    std::vector<int> dsts;
    for (const TileWork& w : work) dsts.push_back(w.tile);
    const std::vector<Transfer> tr = m_bus->fan_out(now(), st.in_bytes, kGlobalBufferPort, dsts);
    for (size_t i = 0; i < work.size(); ++i) {
      charge(lc, i == 0 ? st.in_bytes : 0, tr[i]);
      m_in_done[size_t(work[i].tile)] = tr[i].done;
    }
  } else {
    for (const TileWork& w : work) {
      m_in_done[size_t(w.tile)] =
          charge(lc, w.in_bytes, m_bus->transfer(now(), w.in_bytes, kGlobalBufferPort, w.tile))
              .done;
    }
  }
  m_ready.assign(size_t(l.pixels), Cycles(0));
  m_pending_tiles = int(m_work[size_t(s)].size());
  for (const TileWork& w : m_work[size_t(s)]) m_tiles[size_t(w.tile)]->jobs.write(s);
  while (m_pending_tiles > 0) wait(m_tiles_done);
  // 2. Each copy's home tile adds the partial sums of each output pixel as they are ready, then
  // the bias and the fused element-wise nodes.
  const std::vector<uint64_t>& ops = st.copy_ops;
  // The units serve the pixels in the order they are ready (copies interleave).
  std::vector<int64_t> order(size_t(l.pixels));
  for (int64_t p = 0; p < l.pixels; ++p) order[size_t(p)] = p;
  std::stable_sort(order.begin(), order.end(), [this](int64_t a, int64_t b) {
    return m_ready[size_t(a)] < m_ready[size_t(b)];
  });
  Cycles end = now();
  for (int64_t p : order) {
    const int c = int(p % l.replicas);
    if (ops[size_t(c)] == 0) {
      end = max(end, m_ready[size_t(p)]);
      continue;
    }
    DigitalUnit& unit = m_tiles[size_t(l.home_tiles[size_t(c)])]->digital();
    end = max(end, unit.execute(m_ready[size_t(p)], ops[size_t(c)]).done);
    *lc.digital_ops += ops[size_t(c)];
  }
  wait_until(end);
  // 3. The output goes back to the global buffer, from each home tile its copies' share.
  std::vector<uint64_t> share(size_t(m_tiles_n), 0);
  uint64_t left = st.out_bytes;
  for (int c = l.replicas - 1; c >= 0; --c) {
    const uint64_t px = uint64_t(l.pixels - c + l.replicas - 1) / uint64_t(l.replicas);
    const uint64_t bytes = c == 0 ? left : st.out_bytes * px / uint64_t(l.pixels);
    left -= bytes;
    share[size_t(l.home_tiles[size_t(c)])] += bytes;
  }
  Cycles back = now();
  for (int t = 0; t < m_tiles_n; ++t) {
    if (share[size_t(t)] == 0) continue;
    back = max(back, charge(lc, share[size_t(t)],
                            m_bus->transfer(now(), share[size_t(t)], t, kGlobalBufferPort))
                         .done);
  }
  wait_until(back);
  wait_until(m_gbuf->access(now(), st.out_bytes, true).done);
  *lc.buffer_write_bytes += st.out_bytes;
}

void Chip::run_digital_step(int s) {
  const Step& st = m_steps[size_t(s)];
  LayerCounters& lc = m_layers[size_t(s)];
  const uint64_t ops = st.ops + st.fused_ops;
  if (ops == 0 && st.in_bytes == 0) return;  // views only
  // Inputs from the global buffer to the tile's unit and the result back.
  wait_until(m_gbuf->access(now(), st.in_bytes, false).done);
  *lc.buffer_read_bytes += st.in_bytes;
  wait_until(
      charge(lc, st.in_bytes, m_bus->transfer(now(), st.in_bytes, kGlobalBufferPort, st.tile))
          .done);
  wait_until(m_tiles[size_t(st.tile)]->digital().execute(now(), ops).done);
  *lc.digital_ops += ops;
  wait_until(
      charge(lc, st.out_bytes, m_bus->transfer(now(), st.out_bytes, st.tile, kGlobalBufferPort))
          .done);
  wait_until(m_gbuf->access(now(), st.out_bytes, true).done);
  *lc.buffer_write_bytes += st.out_bytes;
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
    const uint64_t phases = uint64_t(m_dac->phases());
    Cycles& core_busy = busy[size_t(blk.tile * m_cores_n + blk.core)];
    core_busy = core_busy + t;
    longest = max(longest, core_busy);
    CoreModule& core = *m_tiles[size_t(blk.tile)]->cores()[size_t(blk.core)];
    core.s_mvms += n;
    core.s_dac += n * phases * uint64_t(blk.rows);
    core.s_adc += n * phases * uint64_t(blk.cols);
    core.s_x2g += r.x2g;
    core.s_busy += t.count();
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

void Chip::controller() {
  if (!m_analog || !m_images) return;
  compensation_phase();
  const Graph& g = m_analog->graph();
  const Cycles start = now();
  for (int64_t img = 0; img < m_count; ++img) {
    const Cycles t0 = now();
    // 1. The image arrives through the I/O port into the global buffer.
    const uint64_t in_bytes = uint64_t(m_sample) * uint64_t(m_act_bytes);
    wait_until(m_io->transfer(now(), in_bytes, kOffChipPort, kGlobalBufferPort).done);
    wait_until(m_gbuf->access(now(), in_bytes, true).done);
    m_analog->begin(m_images + img * m_sample, img);
    // 2. The steps in order; a step's values are computed when it is issued.
    for (size_t s = 0; s < m_steps.size(); ++s) {
      const Step& st = m_steps[s];
      const Cycles l0 = now();
      for (int i : st.nodes) m_analog->run_node(i);
      if (st.layer >= 0) {
        run_analog_step(int(s));
      } else {
        run_digital_step(int(s));
      }
      for (int v : st.release) m_analog->release(v);
      *m_layers[s].cycles += (now() - l0).count();
    }
    // 3. The output leaves through the I/O port.
    const std::vector<float>& y = m_analog->value(g.output);
    const uint64_t out_bytes = y.size() * uint64_t(m_act_bytes);
    wait_until(m_gbuf->access(now(), out_bytes, false).done);
    wait_until(m_io->transfer(now(), out_bytes, kGlobalBufferPort, kOffChipPort).done);
    const Cycles latency = now() - t0;
    if (img == 0) m_first_latency = m_min_latency = latency;
    m_min_latency = std::min(m_min_latency, latency);
    m_max_latency = std::max(m_max_latency, latency);
    ++*s_images;
    ++m_done;
    if (m_on_output) m_on_output(img, y);
  }
  m_total = now() - start;
}

}  // namespace pcmsim
