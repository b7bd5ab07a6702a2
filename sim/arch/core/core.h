#pragma once
// An analog core: DAC bank -> crossbar array -> sample-and-hold -> ADC bank (columns multiplexed
// onto its ADCs) -> shift-and-add -> output register. Each part is a module that owns its timing
// law and counts its own actions:
//  - DacBank: drives a read's inputs (Dac::drive_cycles: settle, plus the longest pulse for
//    duration coding); one conversion per row per read; the input register's reads;
//  - ArrayUnit: integrates (ArrayModel::integration_cycles) unless the pulses do; the read-energy
//    basis of every MVM;
//  - AdcBank: converts a read's columns in ceil(cols / adcs) rounds, each as long as its largest
//    code's conversion (Adc::conversion_cycles); its samples held, shift-and-adds and partial sums
//    written to the output register.
// The core's front process runs the DAC bank and the array for each read and hands the samples
// to the ADC bank's process through the sample-and-hold; with `sample_hold.overlap` the array
// integrates the next read (of the same MVM or the next one) while the ADCs convert the last. An
// MVM's input vector waits in the input register (its slot freed once the DACs have driven its
// last read) and its result goes to the output register (the ADC bank waits while that is full).
// Bound-management passes, multi-phase reads and bit-serial inputs are reads like any other; the
// codes that set value-dependent times come from the MVM's own numerics.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/adc/adc.h"
#include "models/array/array.h"
#include "models/array/programmed_array.h"
#include "models/dac/dac.h"
#include "sim/arch/chip_settings.h"
#include "sim/arch/common/credits.h"
#include "sim/arch/common/timebase.h"
#include "sim/base/energy.h"
#include "sim/base/stats.h"

namespace pcmsim {

/// @brief What every core of a chip is built from.
struct CoreSetup {
  const Dac* dac = nullptr;
  const Adc* adc = nullptr;
  const ArrayModel* array = nullptr;
  int adcs = 1;        ///< ADCs per array
  int mvm_phases = 1;  ///< reads per pass, converted apart and averaged
  int psum_bits = 16;
  CorePeriphery periphery;
  int input_vectors = 2;   ///< input register depth in vectors
  int output_vectors = 2;  ///< output register depth in vectors
};

/// @brief One MVM's work: the reads and their codes, for the timing laws.
struct MvmJob {
  int slot = 0;       ///< image slot (-1: drift-compensation readouts)
  int64_t pixel = 0;  ///< output pixel
  int tag = -1;       ///< step
  int rows = 0, cols = 0;
  uint32_t passes = 1;              ///< MVMs of the array (1 + bound-management repeats)
  uint32_t reads = 1;               ///< recorded reads: passes x phases
  const uint16_t* codes = nullptr;  ///< 1 + rounds per recorded read, or null (fixed times)
  double basis = 0;                 ///< read-energy basis of all its reads
};

class DacBank : public sc_core::sc_module {
 public:
  DacBank(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
          EnergyLedger& ledger);
  /// @brief Cycles to drive one read whose largest input code is @p code.
  Cycles drive(uint32_t code, const Clock& clock) const { return m_dac.drive_cycles(code, clock); }
  void count(uint64_t conversions, int tag) { s_conv->add(conversions, tag); }

 private:
  const Dac& m_dac;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_conv;
};

class ArrayUnit : public sc_core::sc_module {
 public:
  ArrayUnit(sc_core::sc_module_name name, const CoreSetup& s, StatGroup& parent,
            EnergyLedger& ledger);
  /// @brief Cycles a read integrates (0 with duration-coded inputs, whose pulses integrate).
  Cycles integrate(const Clock& clock) const {
    return m_integrate ? m_array.integration_cycles(clock) : Cycles(0);
  }
  void count(uint64_t reads, double basis, int tag) {
    s_reads->add(reads, tag);
    s_basis->add(basis, tag);
  }

 private:
  const ArrayModel& m_array;
  bool m_integrate;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_reads;
  Accumulator* s_basis;
};

class Core;

class AdcBank : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(AdcBank);
  AdcBank(sc_core::sc_module_name name, Core& core, const CoreSetup& s, StatGroup& parent,
          EnergyLedger& ledger);
  /// @brief Cycles to convert one read of @p cols columns whose rounds' largest codes are
  /// @p codes (null: fixed-time conversions).
  Cycles convert(int cols, const uint16_t* codes, const Clock& clock) const;
  uint64_t busy_cycles() const { return s_busy->count(); }

 private:
  friend class Core;
  void run();
  Core& m_core;
  const Adc& m_adc;
  int m_adcs;
  std::unique_ptr<StatGroup> m_stats;
  Counter *s_conv, *s_busy, *s_stall;
};

class Core : public sc_core::sc_module {
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
  bool readouts_done() const { return m_readouts_done; }
  sc_core::sc_event& readouts_event() { return m_readouts_ev; }
  StatGroup& stats() { return *m_stats; }
  /// @brief Its busy cycles (DACs, array or ADCs working), attributed to steps.
  const Counter& busy() const { return *s_busy; }
  /// @brief Its ADC bank's busy cycles, attributed to steps.
  const Counter& adc_busy() const { return *m_adc->s_busy; }
  const Counter& mvms() const { return *s_mvms; }
  const Counter& bm_repeats() const { return *s_bm; }
  const Counter& output_full() const { return *m_adc->s_stall; }

 private:
  friend class AdcBank;
  struct Sample {
    const MvmJob* job;
    uint32_t read;  ///< recorded read
    bool last;      ///< the MVM's last read
    const uint16_t* codes;
  };
  void front();
  void run_mvm(const MvmJob& job);
  void mark_busy(Cycles from, Cycles to, int tag);

  TimeBase& m_tb;
  CoreSetup m_set;
  std::unique_ptr<StatGroup> m_stats;
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
  // Sample-and-hold between the front and the ADC bank.
  std::deque<Sample> m_held;
  std::deque<MvmJob> m_jobs_in_flight;
  bool m_adc_idle = true;
  sc_core::sc_event m_held_ev, m_adc_idle_ev;
  Cycles m_busy_until;
  Counter *s_mvms, *s_bm, *s_busy, *s_in_stall;
};

}  // namespace pcmsim
