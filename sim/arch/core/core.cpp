#include "sim/arch/core/core.h"

#include <algorithm>

#include "sim/arch/common/hierarchy.h"

namespace pcmsim {

namespace {
/// Input-register energy per DAC conversion: its code read out of the register, 1 bit per read
/// for bit-serial inputs, the DAC's bits otherwise.
double input_register_pj(const CoreSetup& s) {
  const int bits = s.dac->coding() == InputCoding::BitSerial ? 1 : s.dac->bits();
  return s.periphery.input_register.energy_pj * double(bits) / 8.0;
}
/// Periphery energy per column conversion: one sample held, one shift-and-add, one partial sum
/// of psum_bits written to the output register.
double per_conversion_pj(const CoreSetup& s) {
  const CorePeriphery& pe = s.periphery;
  return pe.sample_hold.energy_pj + pe.shift_add.energy_pj +
         pe.output_register.energy_pj * double(s.psum_bits) / 8.0;
}
}  // namespace

DacBank::DacBank(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
                 EnergyLedger& ledger)
    : sc_module(name), m_dac(*s.dac) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_conv =
      &m_stats->counter("conversions", "conversions", "row inputs driven (one per row per read)");
  const std::string path = m_stats->full_name();
  const int rows = s.array->rows();
  ledger.bind(path, "dac", *s_conv, m_dac.cost().energy_pj);
  ledger.bind(path, "periphery", *s_conv, input_register_pj(s));
  ledger.area(path, "dac", m_dac.cost().area_um2 * rows);
  ledger.area(path, "periphery", s.periphery.input_register.area_um2);
  ledger.leakage(path, m_dac.cost().leakage_mw * rows + s.periphery.input_register.leakage_mw);
}

ArrayUnit::ArrayUnit(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
                     EnergyLedger& ledger)
    : sc_module(name), m_array(*s.array), m_integrate(s.dac->coding() != InputCoding::Duration) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_reads = &m_stats->counter("reads", "reads", "array reads (every pass, phase and input bit)");
  const bool duration = s.dac->coding() == InputCoding::Duration;
  s_basis = &m_stats->accumulator(
      "read_basis", duration ? "uS x LSB" : "uS",
      duration ? "sum over reads and rows of |input code| x the row's conductance (read energy)"
      : s.dac->coding() == InputCoding::BitSerial
          ? "sum over reads and rows of the set input bits x the row's conductance"
          : "sum over reads and rows of input^2 x the row's conductance (read energy)");
  // The basis is in units of one integration time (amplitude, bit-serial) or one pulse LSB.
  const double unit_ns = duration ? s.dac->cost().ns_per_lsb : m_array.t_int_ns();
  const std::string path = m_stats->full_name();
  ledger.bind(path, "array", *s_basis, m_array.read_energy_pj(1.0, unit_ns));
  ledger.area(path, "array", m_array.area_um2());
  ledger.leakage(path, m_array.leakage_mw());
}

AdcBank::AdcBank(sc_core::sc_module_name name, Core& core, const CoreSetup& s, StatGroup& parent,
                 EnergyLedger& ledger)
    : sc_module(name), m_core(core), m_adc(*s.adc), m_adcs(s.adcs) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_conv = &m_stats->counter("conversions", "conversions", "column outputs digitized");
  s_busy = &m_stats->counter("busy_cycles", "cycles", "cycles its conversion rounds ran");
  s_stall = &m_stats->counter("output_full_cycles", "cycles",
                              "cycles a finished MVM waited for room in the output register");
  const std::string path = m_stats->full_name();
  const CorePeriphery& pe = s.periphery;
  const int cols = s.array->cols();
  ledger.bind(path, "adc", *s_conv, m_adc.cost().energy_pj);
  ledger.bind(path, "periphery", *s_conv, per_conversion_pj(s));
  ledger.area(path, "adc", m_adc.cost().area_um2 * m_adcs);
  ledger.area(path, "periphery",
              pe.sample_hold.area_um2 * cols + pe.shift_add.area_um2 * pe.shift_add_units +
                  pe.output_register.area_um2);
  ledger.leakage(path, m_adc.cost().leakage_mw * m_adcs + pe.sample_hold.leakage_mw * cols +
                           pe.shift_add.leakage_mw * pe.shift_add_units +
                           pe.output_register.leakage_mw);
  SC_THREAD(run);
}

Cycles AdcBank::convert(int cols, const uint16_t* codes, const Clock& clock) const {
  // Columns interleaved on the ADCs: round r converts columns [r x adcs, (r + 1) x adcs), and
  // lasts as long as its largest code's conversion.
  const int rounds = (cols + m_adcs - 1) / m_adcs;
  if (!codes) return m_adc.conversion_cycles(0, clock) * uint64_t(rounds);
  Cycles t;
  for (int r = 0; r < rounds; ++r) t += m_adc.conversion_cycles(codes[r], clock);
  return t;
}

void AdcBank::run() {
  TimeBase& tb = m_core.m_tb;
  const Clock& clock = tb.clock();
  for (;;) {
    while (m_core.m_held.empty()) tb.wait(m_core.m_held_ev);
    const Core::Sample s = m_core.m_held.front();
    const MvmJob& job = *s.job;
    // 1. Convert the held samples, round after round.
    const Cycles busy = convert(job.cols, s.codes ? s.codes + 1 : nullptr, clock);
    const Cycles start = tb.now();
    m_core.mark_busy(start, start + busy, job.tag);
    s_busy->add(busy.count(), job.tag);
    tb.wait_until(start + busy);
    s_conv->add(uint64_t(job.cols), job.tag);
    m_core.m_held.pop_front();
    tb.count_event();
    m_core.m_held_ev.notify(sc_core::SC_ZERO_TIME);  // the sample-and-hold is free
    // 2. After the MVM's last read its result goes to the output register.
    if (s.last) {
      if (job.slot < 0) {
        m_core.m_readouts_done = true;
        tb.count_event();
        m_core.m_readouts_ev.notify(sc_core::SC_ZERO_TIME);
      } else {
        m_core.m_out_slots.acquire(1, s_stall, job.tag);
        m_core.m_done(job.slot, job.pixel);
      }
      m_core.m_jobs_in_flight.pop_front();
    }
    m_core.m_adc_idle = m_core.m_held.empty();
    if (m_core.m_adc_idle) {
      tb.count_event();
      m_core.m_adc_idle_ev.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

Core::Core(sc_core::sc_module_name name, TimeBase& tb, const CoreSetup& s, StatGroup& parent,
           EnergyLedger& ledger)
    : sc_module(name),
      m_tb(tb),
      m_set(s),
      m_in_slots(tb, uint64_t(s.input_vectors)),
      m_out_slots(tb, uint64_t(s.output_vectors)) {
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_mvms = &m_stats->counter("mvms", "mvms", "array MVMs (bound-management repeats included)");
  s_bm = &m_stats->counter("bm_repeats", "mvms",
                           "MVMs repeated with halved input because outputs clipped");
  s_busy = &m_stats->counter("busy_cycles", "cycles",
                             "cycles its DACs, array or ADCs worked (reads and conversions)");
  s_in_stall = &m_stats->counter("input_wait_cycles", "cycles",
                                 "cycles between MVMs the core waited for its next input vector");
  m_dac = std::make_unique<DacBank>("dac", s, *m_stats, ledger);
  m_array = std::make_unique<ArrayUnit>("array", s, *m_stats, ledger);
  m_adc = std::make_unique<AdcBank>("adc", *this, s, *m_stats, ledger);
  SC_THREAD(front);
}

void Core::put_input(int slot, int64_t pixel, Counter* stall, int tag) {
  m_in_slots.acquire(1, stall, tag);
  m_inputs.emplace_back(slot, pixel);
  m_tb.count_event();
  m_input_ev.notify(sc_core::SC_ZERO_TIME);
}

void Core::take_output() { m_out_slots.release(1); }

void Core::mark_busy(Cycles from, Cycles to, int tag) {
  const Cycles a = max(from, m_busy_until);
  if (to > a) s_busy->add((to - a).count(), tag);
  m_busy_until = max(m_busy_until, to);
}

void Core::run_mvm(const MvmJob& job) {
  // Reads in order: every recorded read (pass, phase) once per bit-serial input bit.
  const Clock& clock = m_tb.clock();
  const int bits = m_set.dac->phases();
  const int rounds = (job.cols + m_set.adcs - 1) / m_set.adcs;
  const bool overlap = m_set.periphery.overlap;
  for (uint32_t r = 0; r < job.reads; ++r) {
    const uint16_t* codes = job.codes ? job.codes + size_t(r) * size_t(1 + rounds) : nullptr;
    const uint32_t in_code = codes ? codes[0] : m_set.dac->max_code();
    for (int b = 0; b < bits; ++b) {
      // 1. Without overlap the array reads only once the ADCs are done with the last read.
      if (!overlap)
        while (!m_adc_idle || !m_held.empty()) m_tb.wait(m_adc_idle_ev);
      // 2. Drive the inputs and integrate.
      const Cycles front = m_dac->drive(in_code, clock) + m_array->integrate(clock);
      const Cycles start = m_tb.now();
      mark_busy(start, start + front, job.tag);
      m_tb.wait_until(start + front);
      m_dac->count(uint64_t(job.rows), job.tag);
      // 3. Hand the samples over once the sample-and-hold is free.
      while (!m_held.empty()) m_tb.wait(m_held_ev);
      const bool last = r + 1 == job.reads && b + 1 == bits;
      m_held.push_back({&m_jobs_in_flight.back(), r, last, codes});
      m_adc_idle = false;
      m_tb.count_event();
      m_held_ev.notify(sc_core::SC_ZERO_TIME);
    }
  }
  s_mvms->add(job.passes, job.tag);
  s_bm->add(job.passes - 1, job.tag);
  m_array->count(uint64_t(job.reads) * uint64_t(bits), job.basis, job.tag);
}

void Core::front() {
  // 1. Drift-compensation readouts first, if any.
  if (m_has_readout) {
    m_jobs_in_flight.push_back(m_readout);
    run_mvm(m_jobs_in_flight.back());
    while (!m_readouts_done) m_tb.wait(m_readouts_ev);
  } else {
    m_readouts_done = true;
    m_tb.count_event();
    m_readouts_ev.notify(sc_core::SC_ZERO_TIME);
  }
  // 2. The images' MVMs, in the order their inputs arrive.
  for (;;) {
    const Cycles t0 = m_tb.now();
    while (m_inputs.empty()) m_tb.wait(m_input_ev);
    const auto [slot, pixel] = m_inputs.front();
    m_jobs_in_flight.push_back(m_jobs(slot, pixel));
    const MvmJob& job = m_jobs_in_flight.back();
    if (m_tb.now() > t0 && slot >= 0) s_in_stall->add((m_tb.now() - t0).count(), job.tag);
    run_mvm(job);
    m_inputs.pop_front();
    m_in_slots.release(1);  // the DACs have driven the vector's last read
  }
}

}  // namespace pcmsim
