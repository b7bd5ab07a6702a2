#pragma once
// Simulated time of the chip. Every latency is a whole number of cycles of the chip clock; each
// cycle has two phases. At the edge (cycle t) modules act on what has arrived: they finish work,
// hand data on and post requests. Half a cycle later (the decision phase of t) every arbiter
// decides among the requests posted during cycle t, by its stated policy, so a decision never
// depends on the order in which the kernel ran the processes that posted them. Every event the
// chip's processes schedule goes through this class and is counted.

#include <cstdint>
#include <systemc>

#include "sim/base/cycles.h"
#include "sim/base/params.h"

namespace pcmsim {

class TimeBase {
 public:
  explicit TimeBase(const Clock& clock);
  const Clock& clock() const { return m_clock; }

  /// @brief The current cycle (the decision phase of cycle t belongs to t).
  Cycles now() const;
  /// @brief Whether the kernel is at an edge (not in a decision phase).
  bool at_edge() const;

  /// @brief Notifies @p e at the edge of cycle @p t (t >= now; at now: a delta notification).
  void notify_edge(sc_core::sc_event& e, Cycles t);
  /// @brief Notifies @p e at the decision phase of cycle @p t (t >= now).
  void notify_decision(sc_core::sc_event& e, Cycles t);
  /// @brief From a thread: sleeps until the edge of cycle @p t (returns at once if t <= now at
  /// an edge).
  void wait_until(Cycles t);
  /// @brief From a thread: waits for @p e (counted as an event).
  void wait(sc_core::sc_event& e);

  /// @brief Events scheduled by the chip's processes so far: timed and delta notifications and
  /// timed waits.
  uint64_t events() const { return m_events; }
  void count_event() { ++m_events; }

 private:
  Clock m_clock;
  uint64_t m_period_ps, m_half_ps;
  uint64_t m_events = 0;
};

/// @brief How an arbiter orders the requests present when it decides.
enum class Policy {
  OldestFirst,  ///< earliest posted first; ties by requester id
  RoundRobin    ///< requester ids in turn, starting after the last one served
};

/// @brief "oldest_first" or "round_robin" to a Policy; throws std::invalid_argument otherwise
/// (callers validate with Params choices first).
Policy parse_policy(const std::string& name);
/// @brief Reads a resource's `arbitration` parameter (oldest_first or round_robin): who among
/// the requests waiting is served first (@p what), and its default.
Policy read_policy(Params& p, const std::string& what, Policy def);

}  // namespace pcmsim
