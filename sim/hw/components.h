#pragma once
// Timing and cost cores of the shared chip components: interconnect, SRAM buffer, digital unit.
// Plain C++ (no SystemC): each keeps the earliest cycle at which it is free and answers "if a
// request arrives at cycle t, when does it finish"; the SystemC modules wait for that cycle.
// Each counts its actions in its stat group; energy is computed after the run.

#include <string>
#include <vector>

#include "sim/framework/cycles.h"
#include "sim/framework/energy.h"
#include "sim/framework/params.h"
#include "sim/framework/stats.h"

namespace pcmsim {

/// @brief A resource that serves one request at a time (earliest-free-cycle model).
class Resource {
 public:
  /// @brief Reserves @p busy cycles starting no earlier than @p now; returns the start cycle.
  Cycles reserve(Cycles now, Cycles busy) {
    Cycles start = max(now, m_next_free);
    m_wait += start - now;
    m_next_free = start + busy;
    m_busy += busy;
    return start;
  }
  Cycles next_free() const { return m_next_free; }
  Cycles busy() const { return m_busy; }
  Cycles waited() const { return m_wait; }

 private:
  Cycles m_next_free, m_busy, m_wait;
};

/// @brief Where a scheduled request starts and when its result is available.
struct Slot {
  Cycles start, done;
};

/// @brief Moves bytes between tiles and buffers.
class Interconnect {
 public:
  static constexpr const char* kInterface = "interconnect";
  virtual ~Interconnect() = default;
  /// @brief Schedules a transfer of @p bytes issued at @p now.
  virtual Slot transfer(Cycles now, uint64_t bytes) = 0;
  /// @brief Creates its stats under @p parent and registers its costs.
  virtual void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) = 0;
  virtual double pj_per_byte() const = 0;
};

/// @brief An SRAM buffer with ports.
class Buffer {
 public:
  static constexpr const char* kInterface = "buffer";
  virtual ~Buffer() = default;
  virtual Slot access(Cycles now, uint64_t bytes, bool write) = 0;
  virtual uint64_t size_bytes() const = 0;
  virtual void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) = 0;
  virtual double read_pj_per_byte() const = 0;
  virtual double write_pj_per_byte() const = 0;
};

/// @brief Digital vector unit: partial-sum accumulation, bias, activation.
class DigitalUnit {
 public:
  static constexpr const char* kInterface = "digital";
  virtual ~DigitalUnit() = default;
  /// @brief Schedules @p ops element operations issued at @p now.
  virtual Slot execute(Cycles now, uint64_t ops) = 0;
  virtual void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) = 0;
  virtual double pj_per_op() const = 0;
};

}  // namespace pcmsim
