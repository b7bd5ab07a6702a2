#pragma once
// A buffer (registered under "buffer"): the global buffer's SRAM and each tile's input buffer.
// A SystemC module with a capacity and ports; a thread accesses it with a blocking call that
// returns when its bytes have moved. Implementations: `sram` (ports arbitrated cycle by cycle,
// `width` bytes per cycle each) and `registers` (a register file read and written in the cycle
// of the access, sized for the steps that use it unless configured).

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "sim/arch/common/credits.h"
#include "sim/arch/common/timebase.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

class Buffer : public sc_core::sc_module {
 public:
  static constexpr const char* kInterface = "buffer";
  /// @brief Capacity in bytes (kUnlimited), or 0 where it is sized for its steps at load.
  virtual uint64_t capacity() const = 0;
  /// @brief Sizes an automatically sized buffer: @p bytes.
  virtual void set_capacity(uint64_t bytes) = 0;
  /// @brief Whether this buffer's capacity comes from the steps that use it (`size: auto`).
  virtual bool automatic() const = 0;
  /// @brief From a thread: moves @p bytes in (@p write) or out through a port on behalf of
  /// @p requester (a stable id for arbitration) for step @p tag; returns when they have moved.
  virtual void access(uint64_t bytes, bool write, uint64_t requester, int tag,
                      sc_core::sc_event& wake) = 0;
  /// @brief From a thread: a pipelined write: returns once a port has taken @p bytes (the port
  /// is free for the next access), and returns the cycle they are stored (`latency` later).
  virtual Cycles write(uint64_t bytes, uint64_t requester, int tag, sc_core::sc_event& wake) = 0;
  /// @brief Sets the time base and creates the stats under @p parent with its costs.
  virtual void attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger) = 0;
  /// @brief Power in mW with every port moving its width each cycle, static power included.
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles each port was busy (none for registers, which have no port to contend for).
  virtual std::vector<uint64_t> port_busy() const = 0;
  StatGroup& stats() { return *m_stats; }

 protected:
  Buffer() = default;  // the module's name comes from the sc_module_name in scope
  std::unique_ptr<StatGroup> m_stats;
};

/// @brief Reads `size`: a byte count, `auto` (0: sized at load) or `unlimited` (kUnlimited).
uint64_t read_buffer_size(Params& p, const std::string& def, const std::string& desc);

}  // namespace pcmsim
