#pragma once
// An analog core: DAC bank -> crossbar array -> sample-and-hold -> ADC bank (columns multiplexed
// onto its ADCs) -> shift-and-add -> output register. Each part is a module in its own file that
// owns its timing law and counts its own actions (dac_bank.h, array_unit.h, adc_bank.h).
// The core's front process runs the DAC bank and the array for each read and hands the samples
// to the ADC bank's process through the sample-and-hold; with `sample_hold.overlap` the array
// integrates the next read (of the same MVM or the next one) while the ADCs convert the last. An
// MVM's input vector waits in the input register (its slot freed once its last read's samples
// are in the sample-and-hold) and its result goes to the output register (the ADC bank waits while
// that is full). Bound-management passes, multi-phase reads and bit-serial inputs are reads like
// any other; the codes that set value-dependent times come from the MVM's own numerics.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <systemc>
#include <utility>

#include "sim/arch/common/credits.h"
#include "sim/arch/common/timebase.h"
#include "sim/arch/core/adc_bank.h"
#include "sim/arch/core/array_unit.h"
#include "sim/arch/core/core_setup.h"
#include "sim/arch/core/dac_bank.h"
#include "sim/base/energy.h"
#include "sim/base/stats.h"

namespace pcmsim {

class Core : public sc_core::sc_module, private AdcClient {
 public:
  SC_HAS_PROCESS(Core);
  Core(sc_core::sc_module_name name, TimeBase& tb, const CoreSetup& s, StatGroup& parent,
       EnergyLedger& ledger);
  /// @brief Where the core takes its MVMs: for the input register's next entry, the job.
  using JobSource = std::function<MvmJob(int slot, int64_t pixel)>;
  void set_jobs(JobSource jobs) { m_jobs = std::move(jobs); }
  /// @brief Where finished MVMs go (the tile's combiner for this core's copy).
  using Done = std::function<void(int slot, int64_t pixel)>;
  void set_done(Done done) { m_done = std::move(done); }
  /// @brief Creates its processes (front and ADC bank): a core no step uses has none, so a chip
  /// of many cores (the ISAAC-like one's 16,128) holds only its mapped cores' stacks. Idempotent.
  void start();
  /// @brief Drift-compensation readouts to run before any image.
  void set_readouts(const MvmJob& job) {
    m_readout = job;
    m_has_readout = true;
  }

  /// @brief The input register: the copy engine puts pixel @p pixel of image slot @p slot in
  /// (waits while it is full, adding the wait to @p stall).
  void put_input(int slot, int64_t pixel, Counter* stall, int tag);
  /// @brief The output register: the combiner takes the oldest result out.
  void take_output();
  /// @brief Whether its drift-compensation readouts are done (a core never started has none).
  bool readouts_done() const { return !m_started || m_readouts_done; }
  sc_core::sc_event& readouts_event() { return m_readouts_ev; }
  StatGroup& stats() { return *m_stats; }
  /// @brief Its busy cycles (DACs, array or ADCs working), attributed to steps.
  const Counter& busy() const { return *s_busy; }
  /// @brief Its ADC bank's busy cycles, attributed to steps.
  const Counter& adc_busy() const { return m_adc->busy(); }
  const Counter& mvms() const { return *s_mvms; }
  const Counter& bm_repeats() const { return *s_bm; }
  const Counter& output_full() const { return m_adc->output_full(); }

 private:
  void front();
  void run_mvm(const MvmJob& job);
  void mark_busy(Cycles from, Cycles to, int tag);
  void converting(Cycles from, Cycles to, int tag) override { mark_busy(from, to, tag); }
  void converted(const HeldRead& r, Counter* stall) override;

  TimeBase& m_tb;
  CoreSetup m_set;
  bool m_started = false;
  std::unique_ptr<StatGroup> m_stats;
  SampleHold m_sh;
  std::unique_ptr<DacBank> m_dac;
  std::unique_ptr<ArrayUnit> m_array;
  std::unique_ptr<AdcBank> m_adc;
  JobSource m_jobs;
  Done m_done;
  MvmJob m_readout;
  bool m_has_readout = false, m_readouts_done = false;
  sc_core::sc_event m_readouts_ev;
  // Input register: entries (slot, pixel); output register: results not yet taken.
  std::deque<std::pair<int, int64_t>> m_inputs;
  Credits m_in_slots, m_out_slots;
  sc_core::sc_event m_input_ev;
  std::deque<MvmJob> m_jobs_in_flight;  // MVMs between the input and the output register
  Cycles m_busy_until;
  Counter *s_mvms, *s_bm, *s_busy, *s_in_stall;
};

}  // namespace pcmsim
