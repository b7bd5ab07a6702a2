#include "sim/arch/engines/digital_step.h"

#include "sim/arch/engines/partition.h"
#include "sim/arch/memory/buffer.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/arch/tile.h"

namespace pcmsim {

DigitalStep::DigitalStep(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step,
                         Partition& part, const StepCounters& c)
    : sc_module(name), m_f(f), m_tile(tile), m_step(step), m_part(part), m_c(c) {
  SC_THREAD(run);
}

void DigitalStep::run() {
  const Schedule& sched = *m_f.sched;
  const Step& st = sched.step(m_step);
  const uint64_t id = requester_id(kDigitalStep, m_step, 0);
  OpCounts ops = st.ops;
  ops += st.fused_ops;
  const size_t I = st.inputs.size();
  for (int64_t img = 0; img < m_f.count; ++img) {
    const int slot = int(img % m_f.slots);
    std::vector<int64_t> read(I, 0);
    for (int64_t r = 0; r < st.out_rows; ++r) {
      // 1. The input rows the output row needs, read once each.
      for (size_t i = 0; i < I; ++i) {
        const StepInput& in = st.inputs[i];
        const RowWindow w = sched.window(m_step, int(i), r);
        m_part.wait_rows(slot, img, int(i), w.hi + 1, m_c.rows_wait, m_step);
        uint64_t bytes = 0;
        for (; read[i] <= w.hi; ++read[i]) bytes += Schedule::row_part(in.bytes, in.rows, read[i]);
        m_tile.buffer().access(bytes, false, id, m_step, m_wake);
      }
      // 2. The row's operations, then the row to the global buffer.
      const uint64_t waited = m_tile.digital().execute(ops.part(uint64_t(st.out_rows), uint64_t(r)),
                                                       id, m_step, m_wake);
      if (waited) m_c.unit_wait->add(waited, m_step);
      if (st.out_value >= 0) {
        Message m;
        m.src = m_tile.index();
        m.dsts.assign(1, kGlobalBuffer);
        m.bytes = Schedule::row_part(st.out_bytes, st.out_rows, r);
        m.tag = m_step;
        m.payload = Payload::Outputs;
        m.slot = slot;
        m.step = m_step;
        m.value = st.out_value;
        m.index = r;
        m_f.noc->send(m, id, m_wake, m_c.queue_full);
        m_tile.count_out(m.bytes, m_step);
      }
      // 3. Rows below the next output row's window can go (after the last row: every row).
      for (size_t i = 0; i < I; ++i)
        m_part.pass(
            0, slot, int(i),
            r + 1 < st.out_rows ? sched.window(m_step, int(i), r + 1).lo : st.inputs[i].rows);
    }
    for (size_t i = 0; i < I; ++i)
      m_part.wait_rows(slot, img, int(i), st.inputs[i].rows, nullptr, m_step);
    m_part.finish(0, slot);
  }
}

Feeder::Feeder(sc_core::sc_module_name name, Fabric& f, int step, std::vector<Partition*> parts,
               const StepCounters& c)
    : sc_module(name), m_f(f), m_step(step), m_parts(std::move(parts)), m_c(c) {
  const Step& st = f.sched->step(step);
  if (st.analog()) {
    for (const TileWork& w : st.work) m_tiles.push_back(w.tile);
  } else {
    m_tiles.push_back(st.tile);
  }
  SC_THREAD(run);
}

void Feeder::send_row(int slot, int input, int64_t row) {
  const Step& st = m_f.sched->step(m_step);
  const StepInput& in = st.inputs[size_t(input)];
  const uint64_t id = requester_id(kFeeder, m_step, 0);
  const uint64_t full = Schedule::row_part(in.bytes, in.rows, row);
  Message m;
  m.src = kGlobalBuffer;
  m.tag = m_step;
  m.payload = Payload::Rows;
  m.slot = slot;
  m.step = m_step;
  m.input = input;
  m.index = row;
  if (m_tiles.size() > 1 && m_f.noc->multicasts()) {
    // The whole row once, to every tile; each reserves room for all of it.
    for (Partition* p : m_parts) p->space().acquire(full, m_c.buffer_full, m_step);
    m_f.gbuf->access(full, false, id, m_step, m_wake);
    m.dsts = m_tiles;
    m.bytes = full;
    m_f.noc->send(m, id, m_wake, m_c.queue_full);
    return;
  }
  for (size_t k = 0; k < m_tiles.size(); ++k) {
    const uint64_t bytes =
        st.analog() ? Schedule::row_part(st.work[k].share_bytes, in.rows, row) : full;
    m_parts[k]->space().acquire(bytes, m_c.buffer_full, m_step);
    m_f.gbuf->access(bytes, false, id, m_step, m_wake);
    m.dsts.assign(1, m_tiles[k]);
    m.bytes = bytes;
    m_f.noc->send(m, id, m_wake, m_c.queue_full);
  }
}

void Feeder::run() {
  TimeBase& tb = *m_f.tb;
  const Step& st = m_f.sched->step(m_step);
  int64_t rows = 1;
  for (const StepInput& in : st.inputs) rows = std::max(rows, in.rows);
  for (int64_t img = 0; img < m_f.count; ++img) {
    const int slot = int(img % m_f.slots);
    ImageRecord& rec = m_f.record(slot);
    // One step at a time: wait for the step before to finish the image (the first step: for
    // the image to be in).
    if (!m_f.pipelined) {
      auto ready = [&] {
        if (rec.image != img) return false;
        return m_step == 0 ? m_f.store->complete(slot, img, {m_f.graph->input})
                           : rec.step_done[size_t(m_step - 1)] != 0;
      };
      while (!ready()) tb.wait(*m_f.steps_changed);
    }
    for (int64_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < st.inputs.size(); ++i) {
        const StepInput& in = st.inputs[i];
        if (r >= in.rows) continue;
        while (!m_f.store->ready(slot, img, in, r)) tb.wait(m_f.store->stored());
        if (r == 0 && i == 0) rec.step_start[size_t(m_step)] = tb.now();
        send_row(slot, int(i), r);
      }
    }
  }
}

}  // namespace pcmsim
