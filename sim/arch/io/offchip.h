#pragma once
// The off-chip port (registered under "io"): a TLM-2.0 target the chip's controller reads each
// image from (TLM_READ_COMMAND, the image's bytes at address image x bytes) and writes each
// result to (TLM_WRITE_COMMAND), with blocking transport: b_transport returns when the transfer
// is over (and may add to the delay, which the controller waits out). `link` models a port of
// `width` bytes per cycle and `latency` cycles, shared by both directions; `external` leaves the
// chip's io socket for the user to bind their own target (Chip::io_socket()).

#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/arch/common/timebase.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

class OffChipIo : public sc_core::sc_module {
 public:
  static constexpr const char* kInterface = "io";
  /// @brief Sets the time base and creates the stats under @p parent with its costs.
  virtual void attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger) = 0;
  /// @brief The target socket the chip binds its io socket to; null when the user binds their
  /// own (`external`).
  virtual tlm::tlm_target_socket<>* target() = 0;
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles the port carried data, for utilization (empty for an external port).
  virtual std::vector<uint64_t> link_busy() const = 0;

 protected:
  OffChipIo() = default;
  std::unique_ptr<StatGroup> m_stats;
};

}  // namespace pcmsim
