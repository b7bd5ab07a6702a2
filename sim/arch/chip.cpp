#include "sim/arch/chip.h"

#include <algorithm>
#include <cmath>

#include "sim/arch/common/hierarchy.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// The global buffer as an endpoint: arriving outputs are written into its SRAM, and their rows
/// counted as stored.
class GlobalBufferPort : public Endpoint {
 public:
  GlobalBufferPort(Buffer& gbuf, ValueStore*& store) : m_gbuf(gbuf), m_store(store) {}
  Cycles store(const Message& m, uint64_t bytes, sc_core::sc_event& wake) override {
    return m_gbuf.write(bytes, requester_id(kReceive, 0, 0), m.tag, wake);
  }
  void received(const Message& m) override {
    if (m.payload == Payload::Outputs) m_store->written(m.slot, m.value, m.index, m.bytes);
  }

 private:
  Buffer& m_gbuf;
  ValueStore*& m_store;
};

}  // namespace

Chip::Chip(sc_core::sc_module_name name, Params p, bool ideal, EnergyLedger& ledger,
           const ChipOptions& opt)
    : sc_module(name), m_ledger(ledger), m_stats(std::string(name)), m_io_socket("io_socket") {
  m_cs = read_chip_settings(p);
  m_tb = std::make_unique<TimeBase>(Clock(m_cs.clock_ghz));
  build_components(p, opt);
  m_numerics.ideal = ideal;
  // Ideal numerics stay exact: no IR drop either.
  m_numerics.ir_drop = ideal ? 0.0 : m_array->r_wire_ohm() * m_device->g_max_uS() * 1e-6;
  s_images = &m_stats.counter("images", "images", "images run through the chip");
  m_stats.formula("cycles", "cycles", "cycles from the first image in to the last logits out",
                  [this] { return double(m_total.count()); });
  SC_THREAD(controller);
  SC_THREAD(retire);
}

Chip::~Chip() = default;

void Chip::build_components(Params& p, const ChipOptions& opt) {
  // 1. The core's models and numerics.
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
  m_adcs = m_cs.adcs > 0 ? m_cs.adcs : m_array->cols();
  if (m_adcs > m_array->cols())
    cp.fail("adcs", "more ADCs than array columns (" + std::to_string(m_array->cols()) + ")");
  if (m_adc->integrating() && m_adcs != m_array->cols())
    cp.fail("adcs",
            "an ADC counting while the array integrates (adc.counting: during) needs one "
            "ADC per column (adcs: 0 or " +
                std::to_string(m_array->cols()) + ")");
  m_numerics.dac = m_dac.get();
  m_numerics.adc = m_adc.get();
  m_numerics.noise_management = m_cs.noise_management;
  m_numerics.max_passes = m_cs.bm_max_passes;
  m_numerics.phases = m_cs.mvm_phases;
  m_numerics.normalized_outputs = m_cs.normalized_outputs;
  m_numerics.adcs = m_adcs;
  m_numerics.record_codes = m_dac->value_dependent() || m_adc->value_dependent();
  m_core_setup = CoreSetup{m_dac.get(),
                           m_adc.get(),
                           m_array.get(),
                           m_adcs,
                           m_cs.psum_bits,
                           m_cs.periphery,
                           m_cs.periphery.input_vectors,
                           m_cs.periphery.output_vectors};
  // 2. Off-chip port, global buffer, interconnect.
  Params iop = p.child("io");
  m_io = create_module<OffChipIo>(iop, "io", "link");
  m_io->attach(*m_tb, m_stats, m_ledger);
  if (tlm::tlm_target_socket<>* t = m_io->target()) m_io_socket.bind(*t);
  Params gp = p.child("global_buffer");
  m_gbuf_where = gp.where("size");
  m_gbuf = create_module<Buffer>(gp, "global_buffer");
  if (m_gbuf->capacity() == 0) gp.fail("size", "the global buffer needs a size (or unlimited)");
  m_gbuf->attach(*m_tb, m_stats, m_ledger);
  Params bp = p.child("interconnect");
  m_noc = create_module<Interconnect>(bp, "interconnect");
  m_noc->attach(*m_tb, m_cs.tiles, m_stats, m_ledger);
  // 3. The tiles (in reverse order on request: nothing may depend on creation order).
  if (tp.has("buffer")) m_tbuf_where = tp.child("buffer").where("size");
  m_tiles.resize(size_t(m_cs.tiles));
  for (int k = 0; k < m_cs.tiles; ++k) {
    const int t = opt.reverse_tiles ? m_cs.tiles - 1 - k : k;
    const std::string n = "tile" + std::to_string(t);
    m_tiles[size_t(t)] =
        std::make_unique<Tile>(n.c_str(), t, tp, *m_tb, m_core_setup, m_cs.cores_per_tile,
                               m_cs.tech, m_cs.tile_output_register, m_stats, m_ledger);
  }
  for (int t = 0; t < m_cs.tiles; ++t) m_noc->set_endpoint(t, m_tiles[size_t(t)].get());
  m_gbuf_port = std::make_unique<GlobalBufferPort>(*m_gbuf, m_fabric.store);
  m_noc->set_endpoint(kGlobalBuffer, m_gbuf_port.get());
}

ChipShape Chip::shape() const {
  return {m_cs.tiles, m_cs.cores_per_tile, m_array->rows(), m_array->cols(),
          m_cs.encoding.levels()};
}

void Chip::set_inputs(const float* images, int64_t count, int64_t sample_size, OutputFn on_output) {
  m_images_in = images;
  m_count = count;
  m_sample = sample_size;
  m_on_output = std::move(on_output);
  m_fabric.count = count;
}

MvmJob Chip::job_of(int slot, int step, int k, int64_t pixel) const {
  const Step& st = m_sched.step(step);
  const GraphLayer& l = m_analog->mapping().layers[size_t(st.layer)];
  const GraphBlock& b = m_analog->mapping().blocks[size_t(l.blocks[size_t(k)])];
  const ImageRecord& rec = m_images[size_t(slot)];
  const size_t at = size_t(k) * size_t(l.pixels) + size_t(pixel);
  const MvmCost& c = rec.costs[size_t(st.layer)][at];
  MvmJob j;
  j.slot = slot;
  j.pixel = pixel;
  j.tag = step;
  j.rows = b.rows;
  j.cols = b.cols;
  j.passes = c.passes;
  j.reads = c.reads;
  j.codes = m_numerics.record_codes ? rec.codes[size_t(st.layer)].data() + c.code0 : nullptr;
  j.basis = rec.basis[size_t(st.layer)][at];
  return j;
}

void Chip::io_transfer(tlm::tlm_command cmd, uint64_t address, uint64_t bytes) {
  // Blocking transport; the target may return before the transfer ends and add to the delay.
  std::vector<unsigned char> data(static_cast<size_t>(bytes));
  tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(address);
  t.set_data_ptr(data.data());
  t.set_data_length(unsigned(bytes));
  t.set_streaming_width(unsigned(bytes));
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  m_io_socket->b_transport(t, delay);
  if (t.is_response_error())
    throw Error("off-chip port: transfer of " + std::to_string(bytes) + " B at address " +
                std::to_string(address) + " failed: " + t.get_response_string());
  // Back on a cycle edge: the rest of the chip acts at edges.
  const Clock& c = m_tb->clock();
  const double ns = (sc_core::sc_time_stamp() + delay).to_seconds() * 1e9;
  m_tb->wait_until(Cycles(uint64_t(std::ceil(ns / c.period_ns() - 1e-9))));
}

void Chip::admit(ImageRecord& rec, int64_t img) {
  // The image's values, step by step; what each MVM did, for the timing laws.
  const Graph& g = m_analog->graph();
  m_analog->begin(m_images_in + img * m_sample, img);
  for (const Step& st : m_sched.steps()) {
    for (int i : st.nodes) m_analog->run_node(i);
    if (st.analog()) {
      rec.costs[size_t(st.layer)] = m_analog->costs(st.layer);
      rec.basis[size_t(st.layer)] = m_analog->read_basis(st.layer);
      if (m_numerics.record_codes) rec.codes[size_t(st.layer)] = m_analog->codes(st.layer);
    }
    for (int v : st.release)
      if (v != g.output) m_analog->release(v);
  }
  rec.logits = m_analog->value(g.output);
  rec.image = img;
  rec.admitted = m_tb->now();
  std::fill(rec.step_done.begin(), rec.step_done.end(), 0);
  std::fill(rec.step_start.begin(), rec.step_start.end(), Cycles());
  rec.steps_done = 0;
}

void Chip::mark_step_done(int slot, int s) {
  ImageRecord& rec = m_images[size_t(slot)];
  if (rec.step_done[size_t(s)]) return;
  rec.step_done[size_t(s)] = 1;
  ++rec.steps_done;
  m_step_cycles[size_t(s)]->add((m_tb->now() - max(rec.step_start[size_t(s)], rec.in)).count(), s);
  // Steps of views only are done once everything they read is.
  for (int c : m_sched.step(s).consumers) {
    const Step& cs = m_sched.step(c);
    if (cs.out_value >= 0) continue;
    bool all = true;
    for (int p : cs.producers) all = all && (p < 0 || rec.step_done[size_t(p)]);
    if (all) mark_step_done(slot, c);
  }
}

void Chip::on_value_complete(int slot, int v) {
  const Graph& g = m_analog->graph();
  for (const Step& st : m_sched.steps()) {
    if (st.out_value == v) mark_step_done(slot, st.index);
    if (v == g.input && st.out_value < 0) {
      bool image_only = true;
      for (int p : st.producers) image_only = image_only && p < 0;
      if (image_only) mark_step_done(slot, st.index);
    }
  }
  m_tb->count_event();
  m_steps_changed.notify(sc_core::SC_ZERO_TIME);
}

void Chip::controller() {
  if (!m_analog || !m_images_in) return;
  TimeBase& tb = *m_tb;
  // 1. Drift-compensation readouts: every core runs its own, all in parallel.
  const Cycles t0 = tb.now();
  for (auto& t : m_tiles)
    for (int c = 0; c < t->cores(); ++c)
      while (!t->core(c).readouts_done()) tb.wait(t->core(c).readouts_event());
  m_comp_cycles = tb.now() - t0;
  m_start = tb.now();
  // 2. Images, as slots free up: values computed at admission, the image read in through the
  // off-chip port and written into the global buffer.
  const Graph& g = m_analog->graph();
  const uint64_t in_bytes = uint64_t(m_sample) * uint64_t(m_sched.activation_bytes());
  const int64_t in_rows = m_sched.rows_of(g.input);
  for (int64_t img = 0; img < m_count; ++img) {
    const int slot = int(img % m_fabric.slots);
    while (m_in_flight >= m_fabric.slots) tb.wait(m_slot_free);
    ++m_in_flight;
    ImageRecord& rec = m_images[size_t(slot)];
    admit(rec, img);
    m_store->admit(slot, img);
    io_transfer(tlm::TLM_READ_COMMAND, uint64_t(img) * in_bytes, in_bytes);
    m_gbuf->access(in_bytes, true, requester_id(kController, 0, 0), -1, m_ctrl_wake);
    rec.in = tb.now();
    for (int64_t r = 0; r < in_rows; ++r)
      m_store->written(slot, g.input, r, Schedule::row_part(in_bytes, in_rows, r));
  }
}

void Chip::retire() {
  if (!m_analog || !m_images_in) return;
  TimeBase& tb = *m_tb;
  const Graph& g = m_analog->graph();
  const int S = int(m_sched.steps().size());
  const uint64_t out_bytes = m_sched.value_bytes(g.output);
  for (int64_t img = 0; img < m_count; ++img) {
    const int slot = int(img % m_fabric.slots);
    ImageRecord& rec = m_images[size_t(slot)];
    while (rec.image != img || rec.steps_done < S ||
           !m_store->complete(slot, img, m_sched.bases(g.output)))
      tb.wait(m_steps_changed);
    // The output out of the global buffer and through the off-chip port.
    m_gbuf->access(out_bytes, false, requester_id(kRetire, 0, 0), -1, m_retire_wake);
    io_transfer(tlm::TLM_WRITE_COMMAND, uint64_t(img) * out_bytes, out_bytes);
    const Cycles latency = tb.now() - rec.admitted;
    if (img == 0) m_first_latency = m_min_latency = latency;
    m_min_latency = std::min(m_min_latency, latency);
    m_max_latency = std::max(m_max_latency, latency);
    m_latency_sum += latency.count();
    m_done_at.push_back(tb.now() - m_start);
    ++*s_images;
    ++m_done;
    if (m_on_output) m_on_output(img, rec.logits);
    --m_in_flight;
    tb.count_event();
    m_slot_free.notify(sc_core::SC_ZERO_TIME);
  }
  m_total = tb.now() - m_start;
}

int Chip::bottleneck_step() const {
  int best = 0;
  for (int s = 1; s < int(m_sched.steps().size()); ++s)
    if (step_figures(s).busy > step_figures(best).busy) best = s;
  return best;
}

double Chip::steady_interval() const {
  const size_t n = m_done_at.size();
  if (n == 0) return 0.0;
  if (n < 4) return double(m_done_at.back().count()) / double(n);
  const size_t h = n / 2;
  return double((m_done_at.back() - m_done_at[h - 1]).count()) / double(n - h);
}

StepFigures Chip::step_figures(int s) const {
  StepFigures f;
  const Step& st = m_sched.step(s);
  for (const Core* c : m_step_cores[size_t(s)]) {
    f.mvms += uint64_t(c->mvms().value_of(s));
    f.bm_repeats += uint64_t(c->bm_repeats().value_of(s));
    f.busy = std::max(f.busy, uint64_t(c->busy().value_of(s)));
    f.stall += uint64_t(c->output_full().value_of(s));
  }
  if (!st.analog())
    f.busy = uint64_t(m_tiles[size_t(st.tile)]->digital().busy_counter().value_of(s));
  f.cycles = m_step_cycles[size_t(s)]->count();
  const StepCounters& sc = m_step_counters[size_t(s)];
  for (Counter* c :
       {sc.rows_wait, sc.input_full, sc.window_full, sc.queue_full, sc.buffer_full, sc.unit_wait})
    f.stall += c->count();
  return f;
}

uint64_t Chip::compensation_mvms() const {
  uint64_t n = 0;
  for (const auto& t : m_tiles)
    for (int c = 0; c < t->cores(); ++c)
      n += uint64_t(const_cast<Tile&>(*t).core(c).mvms().value_of(compensation_tag()));
  return n;
}

}  // namespace pcmsim
