#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "sim/arch/core/core.h"

#include <algorithm>

#include "sim/arch/common/hierarchy.h"

namespace pcmsim {

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
  m_adc = std::make_unique<AdcBank>("adc", tb, m_sh, static_cast<AdcClient&>(*this), s, *m_stats,
                                    ledger);
}

void Core::start() {
  if (m_started) return;
  m_started = true;
  within(*this, [this] { sc_core::sc_spawn(sc_bind(&Core::front, this), "front"); });
  m_adc->start();
}

void Core::put_input(int slot, int64_t pixel, Counter* stall, int tag) {
  m_in_slots.acquire(1, stall, tag);
  m_inputs.emplace_back(slot, pixel);
  m_tb.count_event();
  m_input_ev.notify(sc_core::SC_ZERO_TIME);
}

void Core::take_output() { m_out_slots.release(1); }

void Core::converted(const HeldRead& r, Counter* stall) {
  // After an MVM's last read its result goes to the output register (the compensation
  // readouts' results stay in the core).
  if (!r.last) return;
  const MvmJob& job = *r.job;
  if (job.slot < 0) {
    m_readouts_done = true;
    m_tb.count_event();
    m_readouts_ev.notify(sc_core::SC_ZERO_TIME);
  } else {
    m_out_slots.acquire(1, stall, job.tag);
    m_done(job.slot, job.pixel);
  }
  m_jobs_in_flight.pop_front();
}

void Core::mark_busy(Cycles from, Cycles to, int tag) {
  const Cycles a = max(from, m_busy_until);
  if (to > a) s_busy->add((to - a).count(), tag);
  m_busy_until = max(m_busy_until, to);
}

void Core::run_mvm(const MvmJob& job) {
  // Reads in order: every recorded read (pass, phase) once per bit-serial input bit.
  const Clock& clock = m_tb.clock();
  const int bits = m_set.dac->phases();
  const int rounds = conversion_rounds(job.cols, m_set.adcs);
  const bool overlap = m_set.periphery.overlap;
  for (uint32_t r = 0; r < job.reads; ++r) {
    const uint16_t* codes = job.codes ? job.codes + size_t(r) * size_t(1 + rounds) : nullptr;
    const uint32_t in_code = codes ? codes[0] : m_set.dac->max_code();
    for (int b = 0; b < bits; ++b) {
      // 1. Without overlap the array reads only once the ADCs are done with the last read.
      if (!overlap)
        while (!m_sh.adc_idle || !m_sh.held.empty()) m_tb.wait(m_sh.adc_idle_event);
      // 2. Drive the inputs and integrate.
      const Cycles front = m_dac->drive(in_code, clock) + m_array->integrate(clock);
      const Cycles start = m_tb.now();
      mark_busy(start, start + front, job.tag);
      m_tb.wait_until(start + front);
      m_dac->count(uint64_t(job.rows), job.tag);
      // 3. Hand the samples over once the sample-and-hold is free.
      while (!m_sh.held.empty()) m_tb.wait(m_sh.changed);
      const bool last = r + 1 == job.reads && b + 1 == bits;
      m_sh.held.push_back({&m_jobs_in_flight.back(), last, codes});
      m_sh.adc_idle = false;
      m_tb.count_event();
      m_sh.changed.notify(sc_core::SC_ZERO_TIME);
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
    m_in_slots.release(1);  // the vector's last read is in the sample-and-hold
  }
}

}  // namespace pcmsim
