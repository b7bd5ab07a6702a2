#include "sim/arch/engines/analog_step.h"

#include <algorithm>

#include "sim/arch/core/core.h"
#include "sim/arch/engines/partition.h"
#include "sim/arch/tile.h"

namespace pcmsim {

CopyEngine::CopyEngine(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, int work,
                       int copy_pos, int reader, Partition& part, std::vector<Core*> cores,
                       const StepCounters& c)
    : sc_module(name),
      m_f(f),
      m_tile(tile),
      m_step(step),
      m_work(work),
      m_pos(copy_pos),
      m_reader(reader),
      m_part(part),
      m_cores(std::move(cores)),
      m_c(c) {
  SC_THREAD(run);
}

void CopyEngine::run() {
  const Schedule& sched = *m_f.sched;
  const Step& st = sched.step(m_step);
  const CopyWork& cw = st.work[size_t(m_work)].copies[size_t(m_pos)];
  const StepInput& in = st.inputs[0];
  const int64_t P = st.pixels, R = st.replicas, W = st.out_width;
  const uint64_t id = requester_id(kCopyEngine, m_step, cw.copy);
  auto window = [&](int64_t p) {
    return in.rows > 1 ? sched.window(m_step, 0, p / W) : RowWindow{0, 0};
  };
  for (int64_t img = 0; img < m_f.count; ++img) {
    const int slot = int(img % m_f.slots);
    for (int64_t p = cw.copy; p < P; p += R) {
      // 1. The rows of the pixel's window, then its vector out of the buffer and over the bus.
      m_part.wait_rows(slot, img, 0, window(p).hi + 1, m_c.rows_wait, m_step);
      m_tile.buffer().access(cw.vec_bytes, false, id, m_step, m_wake);
      if (TileBus* bus = m_tile.bus()) bus->carry(cw.vec_bytes, id, m_step, m_wake);
      // 2. Into every core's input register.
      for (Core* c : m_cores) c->put_input(slot, p, m_c.input_full, m_step);
      // 3. Rows below the next pixel's window can go (after the last pixel: every row, the
      // rows below the input no window reads among them).
      m_part.pass(m_reader, slot, 0, p + R < P ? window(p + R).lo : in.rows);
    }
    m_part.wait_rows(slot, img, 0, in.rows, nullptr, m_step);
    m_part.finish(m_reader, slot);
  }
}

Combiner::Combiner(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, int work,
                   int copy_pos, std::vector<Core*> cores, const StepCounters& c)
    : sc_module(name),
      m_f(f),
      m_tile(tile),
      m_step(step),
      m_work(work),
      m_pos(copy_pos),
      m_cores(std::move(cores)),
      m_c(c) {
  SC_THREAD(run);
}

void Combiner::core_done(int, int64_t) {
  ++m_results;
  m_f.tb->count_event();
  m_result_ev.notify(sc_core::SC_ZERO_TIME);
}

void Combiner::run() {
  TimeBase& tb = *m_f.tb;
  const Step& st = m_f.sched->step(m_step);
  const CopyWork& cw = st.work[size_t(m_work)].copies[size_t(m_pos)];
  const bool home = cw.home == m_tile.index();
  const uint64_t id = requester_id(kCombiner, m_step, cw.copy);
  const int64_t Pc = copy_pixels(st.pixels, st.replicas, cw.copy);
  const uint64_t cores = m_cores.size();
  uint64_t seq = 0;
  for (int64_t img = 0; img < m_f.count; ++img) {
    const int slot = int(img % m_f.slots);
    for (int64_t j = 0; j < Pc; ++j, ++seq) {
      const int64_t p = cw.copy + j * st.replicas;
      // 1. Every core of the copy on this tile has the pixel (cores finish in pixel order).
      while (m_results < (seq + 1) * cores) tb.wait(m_result_ev);
      if (home) {
        // 2a. Into the accumulator, once its window takes the pixel.
        m_home->window().enter(seq, m_c.window_full, m_step);
        for (Core* c : m_cores) c->take_output();
        m_home->contribute(m_tile.index());
        continue;
      }
      // 2b. Partial sums sharing columns added on the tile, then sent to the home tile.
      if (cw.local_adds) {
        const uint64_t waited =
            m_tile.digital().execute(OpCounts::of(OpKind::Add, cw.local_adds), id, m_step, m_wake);
        if (waited) m_c.unit_wait->add(waited, m_step);
      }
      m_home->window().enter(seq, m_c.window_full, m_step);
      Message m;
      m.src = m_tile.index();
      m.dsts.assign(1, cw.home);
      m.bytes = cw.send_bytes;
      m.tag = m_step;
      m.payload = Payload::Psums;
      m.slot = slot;
      m.step = m_step;
      m.copy = cw.copy;
      m.index = p;
      m_f.noc->send(m, id, m_wake, m_c.queue_full);
      m_tile.count_out(cw.send_bytes, m_step);
      for (Core* c : m_cores) c->take_output();
    }
  }
}

Assembler::Assembler(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, int copy,
                     const StepCounters& c)
    : sc_module(name),
      m_f(f),
      m_tile(tile),
      m_step(step),
      m_copy(copy),
      m_c(c),
      m_window(*f.tb, uint64_t(f.window)) {
  m_sources = f.sched->step(step).sources[size_t(copy)];
  m_got.assign(m_sources.size(), 0);
  SC_THREAD(run);
}

void Assembler::contribute(int src) {
  const size_t k = size_t(std::find(m_sources.begin(), m_sources.end(), src) - m_sources.begin());
  ++m_got[k];
  m_f.tb->count_event();
  m_got_ev.notify(sc_core::SC_ZERO_TIME);
}

void Assembler::run() {
  TimeBase& tb = *m_f.tb;
  const Step& st = m_f.sched->step(m_step);
  const uint64_t id = requester_id(kAccumulator, m_step, m_copy);
  const int64_t Pc = copy_pixels(st.pixels, st.replicas, m_copy);
  const uint64_t pixel_bytes = st.out_bytes / uint64_t(st.pixels);
  uint64_t seq = 0;
  for (int64_t img = 0; img < m_f.count; ++img) {
    const int slot = int(img % m_f.slots);
    for (int64_t j = 0; j < Pc; ++j, ++seq) {
      const int64_t p = m_copy + j * st.replicas;
      // 1. Every tile of the copy has contributed the pixel.
      for (;;) {
        bool all = true;
        for (uint64_t g : m_got) all = all && g > seq;
        if (all) break;
        tb.wait(m_got_ev);
      }
      // 2. Partial sums, bias and fused nodes on the digital unit.
      OpCounts ops = st.fused_ops.part(uint64_t(st.pixels), uint64_t(p));
      ops[OpKind::Add] += st.copy_adds[size_t(m_copy)];
      const uint64_t waited = m_tile.digital().execute(ops, id, m_step, m_wake);
      if (waited) m_c.unit_wait->add(waited, m_step);
      // 3. The pixel's outputs to the global buffer; the window moves on.
      Message m;
      m.src = m_tile.index();
      m.dsts.assign(1, kGlobalBuffer);
      m.bytes = pixel_bytes;
      m.tag = m_step;
      m.payload = Payload::Outputs;
      m.slot = slot;
      m.step = m_step;
      m.value = st.out_value;
      m.index = st.out_rows > 1 ? p / st.out_width : 0;
      m_f.noc->send(m, id, m_wake, m_c.queue_full);
      m_tile.count_out(pixel_bytes, m_step);
      m_window.advance(seq + 1 + uint64_t(m_f.window));
    }
  }
}

}  // namespace pcmsim
