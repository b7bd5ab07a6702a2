#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "sim/arch/core/adc_bank.h"

#include <string>

#include "sim/arch/common/hierarchy.h"

namespace pcmsim {

namespace {
/// Periphery energy per column conversion: one sample held, one shift-and-add, one partial sum
/// of psum_bits written to the output register.
double per_conversion_pj(const CoreSetup& s) {
  const CorePeriphery& pe = s.periphery;
  return pe.sample_hold.energy_pj + pe.shift_add.energy_pj +
         pe.output_register.energy_pj * double(s.psum_bits) / 8.0;
}
}  // namespace

AdcBank::AdcBank(sc_core::sc_module_name name, TimeBase& tb, SampleHold& sh, AdcClient& client,
                 const CoreSetup& s, StatGroup& parent, EnergyLedger& ledger)
    : sc_module(name), m_tb(tb), m_sh(sh), m_client(client), m_adc(*s.adc), m_adcs(s.adcs) {
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
}

void AdcBank::start() {
  within(*this, [this] { sc_core::sc_spawn(sc_bind(&AdcBank::run, this), "run"); });
}

Cycles AdcBank::convert(int cols, const uint16_t* codes, const Clock& clock) const {
  // Columns interleaved on the ADCs: round r converts columns [r x adcs, (r + 1) x adcs), and
  // lasts as long as its largest code's conversion.
  const int rounds = conversion_rounds(cols, m_adcs);
  if (!codes) return m_adc.conversion_cycles(0, clock) * uint64_t(rounds);
  Cycles t;
  for (int r = 0; r < rounds; ++r) t += m_adc.conversion_cycles(codes[r], clock);
  return t;
}

void AdcBank::run() {
  const Clock& clock = m_tb.clock();
  for (;;) {
    while (m_sh.held.empty()) m_tb.wait(m_sh.changed);
    const HeldRead r = m_sh.held.front();
    const MvmJob& job = *r.job;
    // 1. Convert the held samples, round after round.
    const Cycles busy = convert(job.cols, r.codes ? r.codes + 1 : nullptr, clock);
    const Cycles start = m_tb.now();
    m_client.converting(start, start + busy, job.tag);
    s_busy->add(busy.count(), job.tag);
    m_tb.wait_until(start + busy);
    s_conv->add(uint64_t(job.cols), job.tag);
    // 2. The sample-and-hold is free; the core takes the read's result.
    m_sh.held.pop_front();
    m_tb.count_event();
    m_sh.changed.notify(sc_core::SC_ZERO_TIME);
    m_client.converted(r, s_stall);
    m_sh.adc_idle = m_sh.held.empty();
    if (m_sh.adc_idle) {
      m_tb.count_event();
      m_sh.adc_idle_event.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

}  // namespace pcmsim
