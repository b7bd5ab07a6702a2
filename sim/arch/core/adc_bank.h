#pragma once
// A core's ADC bank with its sample-and-hold, shift-and-add and output-register writes. Its
// process takes each read out of the sample-and-hold and converts its columns in
// ceil(cols / adcs) rounds (the columns interleaved on the ADCs), each as long as its largest
// code's conversion (the ADC model's Adc::conversion_cycles); then it frees the sample-and-hold
// and hands the read to its client, the core, which puts an MVM's result into the output
// register once its last read is converted (the bank waits while that register is full).

#include <cstdint>
#include <deque>
#include <memory>
#include <systemc>

#include "sim/arch/common/timebase.h"
#include "sim/arch/core/core_setup.h"
#include "sim/base/energy.h"
#include "sim/base/stats.h"

namespace pcmsim {

/// @brief The sample-and-hold between a core's array and its ADC bank: one read's samples.
struct SampleHold {
  std::deque<HeldRead> held;
  bool adc_idle = true;  ///< the ADC bank has converted everything it was given
  sc_core::sc_event changed, adc_idle_event;
};

/// @brief What the ADC bank reports to its core.
class AdcClient {
 public:
  virtual ~AdcClient() = default;
  /// @brief The bank converts from @p from to @p to for step @p tag.
  virtual void converting(Cycles from, Cycles to, int tag) = 0;
  /// @brief Read @p r is converted (in the bank's process; may wait, adding to @p stall).
  virtual void converted(const HeldRead& r, Counter* stall) = 0;
};

class AdcBank : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(AdcBank);
  AdcBank(sc_core::sc_module_name name, TimeBase& tb, SampleHold& sh, AdcClient& client,
          const CoreSetup& s, StatGroup& parent, EnergyLedger& ledger);
  /// @brief Creates its process (Core::start calls it for a mapped core).
  void start();
  /// @brief Cycles to convert one read of @p cols columns whose rounds' largest codes are
  /// @p codes (null: fixed-time conversions).
  Cycles convert(int cols, const uint16_t* codes, const Clock& clock) const;
  /// @brief Its busy cycles, attributed to steps.
  const Counter& busy() const { return *s_busy; }
  /// @brief Cycles finished MVMs waited for room in the output register.
  const Counter& output_full() const { return *s_stall; }

 private:
  void run();
  TimeBase& m_tb;
  SampleHold& m_sh;
  AdcClient& m_client;
  const Adc& m_adc;
  int m_adcs;
  std::unique_ptr<StatGroup> m_stats;
  Counter *s_conv, *s_busy, *s_stall;
};

}  // namespace pcmsim
