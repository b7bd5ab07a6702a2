// Chip::load: the schedule compiled for the mapped network, the buffers sized and checked, the
// step engines created.

#include <algorithm>
#include <numeric>

#include "sim/arch/chip.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/base/error.h"

namespace pcmsim {

namespace {

/// What a step needs of one tile's input buffer: the rows it reads at once (it cannot make
/// progress with less) and those plus one more row of each input (so the next row can land while
/// the window is in use), both at most its whole input on the tile.
struct Need {
  uint64_t window = 0, streaming = 0;
};

Need need_of(const Schedule& sched, const Step& st, int work, bool multicast) {
  Need n;
  for (size_t i = 0; i < st.inputs.size(); ++i) {
    const StepInput& in = st.inputs[i];
    const uint64_t total = st.analog() && !multicast ? st.work[size_t(work)].share_bytes : in.bytes;
    const uint64_t row = Schedule::row_part(total, in.rows, in.rows - 1);  // the largest row
    int64_t rows = in.rows;
    if (in.kind == WindowKind::SameRow) rows = 1;
    if (in.kind == WindowKind::Kernel) {
      rows = 1;
      for (int64_t r = 0; r < st.out_rows; ++r) {
        const RowWindow w = sched.window(st.index, int(i), r);
        rows = std::max(rows, w.hi - w.lo + 1);
      }
    }
    n.window += std::min(total, uint64_t(rows) * row);
    n.streaming += std::min(total, uint64_t(rows + 1) * row);
  }
  return n;
}

}  // namespace

void Chip::check_global_buffer() const {
  // The global buffer holds the values live at each step, for every image in flight (an upper
  // bound: the images are at different steps).
  const int K = m_fabric.slots;
  for (int s = 0; s < int(m_sched.steps().size()); ++s) {
    const uint64_t need = m_sched.live_bytes(s) * uint64_t(K);
    if (m_gbuf->capacity() == kUnlimited || need <= m_gbuf->capacity()) continue;
    throw Error(
        m_gbuf_where + " = " + std::to_string(m_gbuf->capacity()) +
        " B cannot hold the values live at step '" + m_sched.step(s).name + "' (" +
        std::to_string(m_sched.live_bytes(s)) + " B of activations at " +
        std::to_string(m_sched.activation_bytes()) + " B each" +
        (K > 1 ? ", times chip.pipeline.images_in_flight = " + std::to_string(K) : std::string()) +
        ")");
  }
}

void Chip::size_queues() {
  // Each endpoint's NI holds twice its largest message (when sized automatically).
  std::vector<uint64_t> largest(size_t(m_cs.tiles) + 1, 1);
  auto note = [&](int e, uint64_t b) {
    uint64_t& l = largest[e < 0 ? size_t(m_cs.tiles) : size_t(e)];
    l = std::max(l, b);
  };
  for (const Step& st : m_sched.steps()) {
    for (const StepInput& in : st.inputs)
      note(kGlobalBuffer, Schedule::row_part(in.bytes, in.rows, in.rows - 1));
    if (st.analog()) {
      for (const TileWork& w : st.work)
        for (const CopyWork& c : w.copies)
          note(w.tile, std::max(c.send_bytes, st.out_bytes / uint64_t(st.pixels)));
    } else if (st.out_value >= 0) {
      note(st.tile, Schedule::row_part(st.out_bytes, st.out_rows, st.out_rows - 1));
    }
  }
  for (int e = -1; e < m_cs.tiles; ++e)
    m_noc->size_queue(e, largest[e < 0 ? size_t(m_cs.tiles) : size_t(e)]);
}

void Chip::set_readouts() {
  // Every array's drift-compensation readouts run on its core before the first image.
  const GraphMapping& map = m_analog->mapping();
  for (size_t b = 0; b < map.blocks.size(); ++b) {
    const MvmResult& w = m_analog->compensation_work(int(b));
    if (w.passes == 0) continue;
    const GraphBlock& blk = map.blocks[b];
    MvmJob j;
    j.slot = -1;
    j.tag = compensation_tag();
    j.rows = blk.rows;
    j.cols = blk.cols;
    j.passes = uint32_t(w.passes);
    j.reads = uint32_t(w.reads);
    j.codes = m_numerics.record_codes ? m_analog->compensation_codes(int(b)).data() : nullptr;
    j.basis = w.read_basis;
    m_tiles[size_t(blk.tile)]->core(blk.core).set_readouts(j);
    m_tiles[size_t(blk.tile)]->core(blk.core).start();
  }
}

void Chip::load(GraphAnalogNetwork& analog, StatGroup& step_stats) {
  m_analog = &analog;
  analog.keep_mvm_work(true);
  const Graph& g = analog.graph();
  const GraphMapping& map = analog.mapping();
  m_sched = Schedule(g, map,
                     {int(ceil_div(uint64_t(m_cs.activation_bits), 8)),
                      int(ceil_div(uint64_t(m_cs.psum_bits), 8))});
  const int S = int(m_sched.steps().size());
  const int K = m_cs.pipelined ? m_cs.images_in_flight : 1;
  m_fabric.slots = K;
  check_global_buffer();
  // The images in flight, the record of what is stored, what the engines share.
  m_images.assign(size_t(K), ImageRecord{});
  for (ImageRecord& r : m_images) {
    r.costs.resize(map.layers.size());
    r.codes.resize(map.layers.size());
    r.basis.resize(map.layers.size());
    r.step_start.assign(size_t(S), Cycles());
    r.step_done.assign(size_t(S), 0);
  }
  m_store = std::make_unique<ValueStore>(*m_tb, m_sched, K, int(g.values.size()));
  m_store->on_complete = [this](int slot, int v) { on_value_complete(slot, v); };
  m_fabric.tb = m_tb.get();
  m_fabric.sched = &m_sched;
  m_fabric.graph = &g;
  m_fabric.map = &map;
  m_fabric.images = &m_images;
  m_fabric.store = m_store.get();
  m_fabric.noc = m_noc.get();
  m_fabric.gbuf = m_gbuf.get();
  for (auto& t : m_tiles) m_fabric.tiles.push_back(t.get());
  m_fabric.pipelined = m_cs.pipelined;
  m_fabric.window = m_cs.accumulator_window;
  m_fabric.steps_changed = &m_steps_changed;
  create_engines(step_stats);
  size_queues();
  set_readouts();
}

std::vector<uint64_t> Chip::partition_sizes(int tile,
                                            const std::vector<std::pair<int, int>>& uses) {
  // uses: (step, work) of each step on the tile. Registers sized automatically hold each step's
  // streaming need; an SRAM of fixed size is split among the steps that can run at once.
  Buffer& buf = m_tiles[size_t(tile)]->buffer();
  const bool multicast = m_noc->multicasts();
  std::vector<Need> needs;
  for (const auto& [s, w] : uses) needs.push_back(need_of(m_sched, m_sched.step(s), w, multicast));
  std::vector<uint64_t> sizes;
  if (buf.capacity() == kUnlimited) return std::vector<uint64_t>(uses.size(), kUnlimited);
  if (buf.automatic()) {
    uint64_t total = 0;
    for (const Need& n : needs) {
      sizes.push_back(n.streaming);
      total += n.streaming;
    }
    buf.set_capacity(std::max<uint64_t>(1, total));
    return sizes;
  }
  const uint64_t cap = buf.capacity();
  auto too_small = [&](const std::string& what, uint64_t need) {
    throw Error(m_tbuf_where + " = " + std::to_string(cap) + " B: smaller than " + what +
                " on tile " + std::to_string(tile) + " (" + std::to_string(need) +
                " B: a convolution's or pooling window's rows of the channels its arrays read, "
                "a dense layer's whole input, or an element-wise node's row of each input)");
  };
  if (!m_cs.pipelined) {
    // One step at a time: each may use all of it.
    for (size_t k = 0; k < uses.size(); ++k) {
      if (needs[k].window > cap)
        too_small("the input rows step '" + m_sched.step(uses[k].first).name + "' needs at once",
                  needs[k].window);
      sizes.push_back(cap);
    }
    return sizes;
  }
  uint64_t windows = 0;
  for (const Need& n : needs) windows += n.window;
  if (windows > cap) too_small("the input rows its pipelined steps need at once", windows);
  for (const Need& n : needs)
    sizes.push_back(n.window + (cap - windows) * n.window / std::max<uint64_t>(1, windows));
  return sizes;
}

void Chip::make_step_stats(StatGroup& step_stats) {
  // Each step's stats: its span, its processes' waits by cause, and its figures from the
  // components' counters attributed to it.
  for (const Step& st : m_sched.steps()) {
    auto g = std::make_unique<StatGroup>(st.name, &step_stats);
    StepCounters c;
    c.rows_wait = &g->counter("rows_wait_cycles", "cycles",
                              "cycles its readers waited for input rows to arrive");
    c.input_full = &g->counter("input_register_full_cycles", "cycles",
                               "cycles input vectors waited for room in a core's input register");
    c.window_full = &g->counter("accumulator_full_cycles", "cycles",
                                "cycles partial sums waited for the home's accumulator window");
    c.queue_full = &g->counter("send_queue_full_cycles", "cycles",
                               "cycles messages waited for room in an NI's send queue");
    c.buffer_full = &g->counter("tile_buffer_full_cycles", "cycles",
                                "cycles input rows waited for room in a tile's input buffer");
    c.unit_wait =
        &g->counter("unit_wait_cycles", "cycles", "cycles its digital jobs waited for a busy unit");
    m_step_cycles.push_back(&g->counter(
        "cycles", "cycles", "from its first input row read to its last output stored, summed"));
    const int s = st.index;
    g->formula("mvms", "mvms", "array MVMs of its cores (bound-management repeats included)",
               [this, s] { return double(step_figures(s).mvms); });
    g->formula("bm_repeats", "mvms", "MVMs repeated by bound management",
               [this, s] { return double(step_figures(s).bm_repeats); });
    g->formula("busy_cycles", "cycles",
               "cycles its busiest core (analog) or its unit (digital) worked for it",
               [this, s] { return double(step_figures(s).busy); });
    g->formula("stall_cycles", "cycles",
               "cycles its processes waited for input rows, room in a buffer, or a busy unit",
               [this, s] { return double(step_figures(s).stall); });
    g->formula("energy_pj", "pJ", "energy of the actions counted for it (leakage aside)",
               [this, s] {
                 double pj = 0;
                 for (const auto& kv : m_ledger.class_energy_of_tag(s)) pj += kv.second;
                 return pj;
               });
    m_step_counters.push_back(c);
    m_step_groups.push_back(std::move(g));
  }
}

std::vector<std::vector<Partition*>> Chip::make_partitions() {
  // Each step that reads inputs on a tile gets its partition of the tile's input buffer; per
  // step, its partitions in the order of the tiles it sends to.
  std::vector<std::vector<std::pair<int, int>>> uses(m_tiles.size());
  for (const Step& st : m_sched.steps()) {
    if (st.analog()) {
      for (size_t w = 0; w < st.work.size(); ++w)
        uses[size_t(st.work[w].tile)].push_back({st.index, int(w)});
    } else if (st.node >= 0 && !st.inputs.empty()) {
      uses[size_t(st.tile)].push_back({st.index, -1});
    }
  }
  std::vector<std::vector<Partition*>> parts(m_sched.steps().size());
  for (size_t t = 0; t < m_tiles.size(); ++t) {
    const std::vector<uint64_t> sizes = partition_sizes(int(t), uses[t]);
    for (size_t k = 0; k < uses[t].size(); ++k) {
      const Step& st = m_sched.step(uses[t][k].first);
      const int readers = st.analog() ? int(st.work[size_t(uses[t][k].second)].copies.size()) : 1;
      parts[size_t(st.index)].push_back(&m_tiles[t]->add_partition(
          st.index, sizes[k], int(st.inputs.size()), readers, m_fabric.slots));
    }
  }
  return parts;
}

void Chip::make_analog_engines(const Step& st) {
  // Per tile holding the layer's arrays, per copy there: a copy engine feeding its cores and a
  // combiner taking their results; per copy, an accumulator on its home tile.
  const GraphMapping& map = m_analog->mapping();
  const GraphLayer& l = map.layers[size_t(st.layer)];
  const StepCounters& c = m_step_counters[size_t(st.index)];
  std::vector<std::pair<Combiner*, int>> combiners;  // with their copy
  for (size_t w = 0; w < st.work.size(); ++w) {
    Tile& tile = *m_tiles[size_t(st.work[w].tile)];
    for (size_t k = 0; k < st.work[w].copies.size(); ++k) {
      const CopyWork& cw = st.work[w].copies[k];
      std::vector<Core*> cores;
      for (int pos : cw.blocks)
        cores.push_back(&tile.core(map.blocks[size_t(l.blocks[size_t(pos)])].core));
      const std::string n = "step" + std::to_string(st.index) + "_copy" + std::to_string(cw.copy);
      Combiner* comb = nullptr;
      within(tile, [&] {
        tile.keep(std::make_unique<CopyEngine>((n + "_inputs").c_str(), m_fabric, tile, st.index,
                                               int(w), int(k), int(k), *tile.partition(st.index),
                                               cores, c));
        auto made = std::make_unique<Combiner>((n + "_outputs").c_str(), m_fabric, tile, st.index,
                                               int(w), int(k), cores, c);
        comb = made.get();
        tile.keep(std::move(made));
        if (cw.home == tile.index())
          tile.add_accumulator(st.index, cw.copy,
                               std::make_unique<Assembler>((n + "_accumulator").c_str(), m_fabric,
                                                           tile, st.index, cw.copy, c));
      });
      combiners.push_back({comb, cw.copy});
      for (size_t j = 0; j < cw.blocks.size(); ++j) {
        const int pos = cw.blocks[j];
        cores[j]->set_jobs([this, s = st.index, pos](int slot, int64_t pixel) {
          return job_of(slot, s, pos, pixel);
        });
        cores[j]->set_done([comb](int slot, int64_t pixel) { comb->core_done(slot, pixel); });
        cores[j]->start();
        m_step_cores[size_t(st.index)].push_back(cores[j]);
      }
    }
  }
  for (auto [comb, copy] : combiners)
    comb->set_home(m_tiles[size_t(l.home_tiles[size_t(copy)])]->accumulator(st.index, copy));
}

void Chip::create_engines(StatGroup& step_stats) {
  m_step_cores.assign(m_sched.steps().size(), {});
  make_step_stats(step_stats);
  const std::vector<std::vector<Partition*>> parts = make_partitions();
  // Per analog step its copy engines, combiners and accumulators; per digital step its engine;
  // per step that reads inputs a feeder at the global buffer.
  for (const Step& st : m_sched.steps()) {
    if (st.node < 0 || st.inputs.empty()) continue;
    const StepCounters& c = m_step_counters[size_t(st.index)];
    if (st.analog()) {
      make_analog_engines(st);
    } else {
      Tile& tile = *m_tiles[size_t(st.tile)];
      within(tile, [&] {
        tile.keep(
            std::make_unique<DigitalStep>(("step" + std::to_string(st.index) + "_digital").c_str(),
                                          m_fabric, tile, st.index, *tile.partition(st.index), c));
      });
    }
    within(*m_gbuf, [&] {
      m_feeders.push_back(std::make_unique<Feeder>(("dma" + std::to_string(st.index)).c_str(),
                                                   m_fabric, st.index, parts[size_t(st.index)], c));
    });
  }
}

}  // namespace pcmsim
