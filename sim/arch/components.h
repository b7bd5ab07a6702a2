#pragma once
// Timing and cost cores of the shared chip components: interconnect, SRAM buffer, digital unit.
// Plain C++ (no SystemC): each keeps the earliest cycle at which it is free and answers "if a
// request arrives at cycle t, when does it finish"; the SystemC modules wait for that cycle.
// Each counts its actions in its stat group; energy is computed after the run.

#include <map>
#include <string>
#include <vector>

#include "models/tech/tech_table.h"
#include "sim/base/cycles.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

/// @brief A resource that serves one request at a time, on a calendar of booked intervals.
/// Requests may be booked out of time order (a tile computes a stream of future MVMs and books
/// its sends ahead): a request takes the earliest gap of its length at or after its arrival.
/// The calendar remembers the last kWindow intervals; time before the oldest one it forgot
/// counts as busy, so memory stays bounded and a late request is only ever delayed, never
/// slotted into a gap it would not have had.
class Resource {
 public:
  static constexpr size_t kWindow = 512;
  /// @brief Reserves @p busy cycles starting no earlier than @p now; returns the start cycle.
  Cycles reserve(Cycles now, Cycles busy);
  /// @brief The end of the last booked interval.
  Cycles next_free() const { return m_last_end; }
  Cycles busy() const { return m_busy; }
  Cycles waited() const { return m_wait; }

 private:
  std::map<uint64_t, uint64_t> m_booked;  ///< start -> end, disjoint, touching ones merged
  uint64_t m_floor = 0;                   ///< before this everything counts as busy
  Cycles m_last_end, m_busy, m_wait;
};

/// @brief Where a scheduled request starts and when its result is available.
struct Slot {
  Cycles start, done;
};

/// @brief Endpoints of transfers besides the tiles (which are 0 .. tiles-1).
constexpr int kGlobalBufferPort = -1, kOffChipPort = -2;

/// @brief A scheduled transfer: when it started, when its last byte arrived, and how many of
/// the interconnect's energy actions it took (bytes on a bus, flit-hops on a mesh).
struct Transfer {
  Cycles start, done;
  uint64_t actions = 0;
};

/// @brief Moves bytes between tiles and buffers.
class Interconnect {
 public:
  static constexpr const char* kInterface = "interconnect";
  virtual ~Interconnect() = default;
  /// @brief Places @p tiles tiles and the global buffer on it; an Error if they do not fit.
  virtual void connect(int tiles) { (void)tiles; }
  /// @brief Schedules a transfer of @p bytes from endpoint @p src to @p dst issued at @p now.
  virtual Transfer transfer(Cycles now, uint64_t bytes, int src, int dst) = 0;
  /// @brief Sends the same @p bytes from @p src to every endpoint of @p dsts: one transfer per
  /// destination, or one multicast where the interconnect is configured for it.
  virtual std::vector<Transfer> fan_out(Cycles now, uint64_t bytes, int src,
                                        const std::vector<int>& dsts) {
    std::vector<Transfer> r;
    for (int d : dsts) r.push_back(transfer(now, bytes, src, d));
    return r;
  }
  /// @brief Whether fan_out() multicasts (else the chip sends each tile only what it needs).
  virtual bool multicasts() const { return false; }
  /// @brief Creates its stats under @p parent and registers its costs.
  virtual void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) = 0;
  /// @brief Energy of one action (Transfer::actions) in pJ.
  virtual double pj_per_action() const = 0;
  /// @brief Power in mW with every port moving its width each cycle at @p clock_ghz, static
  /// power included.
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles each of its links carried data (a bus: one; a mesh: every link between
  /// neighbouring routers), for utilization.
  virtual std::vector<uint64_t> link_busy() const = 0;
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
  /// @brief Power in mW with every port accessing its width each cycle, static power included.
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles each port was busy, for utilization.
  virtual std::vector<uint64_t> port_busy() const = 0;
};

/// @brief Digital vector unit: partial-sum accumulation, bias, activation, pooling, softmax.
class DigitalUnit {
 public:
  static constexpr const char* kInterface = "digital";
  virtual ~DigitalUnit() = default;
  /// @brief Takes its energy per operation from @p tech at its precision (unless configured
  /// otherwise); called once, before attach().
  virtual void use_tech(const TechTable& tech) = 0;
  /// @brief Schedules @p ops element operations issued at @p now.
  virtual Slot execute(Cycles now, const OpCounts& ops) = 0;
  virtual void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) = 0;
  /// @brief Energy of one operation of each kind, in pJ.
  virtual const OpEnergies& energies() const = 0;
  /// @brief Power in mW with every lane adding each cycle (the accumulation every unit does),
  /// static power included.
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles it was busy, for utilization.
  virtual uint64_t busy_cycles() const = 0;
};

}  // namespace pcmsim
