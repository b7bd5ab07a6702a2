#pragma once
// A pool of identical servers (an SRAM's ports, a bus, a digital unit's pipeline, an I/O link)
// that serve one request each at a time. Requests are posted at an edge and decided in that
// cycle's decision phase among all requests present, by the pool's policy; a granted request
// starts in the cycle it was decided (the arbitration is combinational within the cycle),
// occupies its server for `busy` cycles and is done `latency` cycles after that. Nothing is booked
// ahead of the current cycle: a request that finds every server busy waits for the next decision
// after one frees.
//
// ArbiterCore is the plain state and policy (unit tests drive it without the kernel); Arbiter is
// its SystemC shell, whose decision process runs only while requests wait.

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "sim/arch/common/timebase.h"
#include "sim/base/cycles.h"

namespace pcmsim {

/// @brief One request to an arbiter, owned by its requester until it is done.
struct Ticket {
  uint64_t requester = 0;  ///< stable id of the requesting process (policy key), not creation order
  Cycles busy, latency;
  int tag = -1;                       ///< step the work is for (stats attribution)
  sc_core::sc_event* wake = nullptr;  ///< notified at the edge of `done`
  // Filled by the arbiter.
  Cycles posted, start, done;
  bool granted = false;
};

class ArbiterCore {
 public:
  ArbiterCore(int servers, Policy policy);
  /// @brief Adds @p t, posted at cycle @p now, to the requests waiting.
  void post(Ticket* t, Cycles now);
  /// @brief Grants, at cycle @p now, the waiting requests that find a free server, in policy
  /// order; appends them to @p granted.
  void decide(Cycles now, std::vector<Ticket*>& granted);
  bool waiting() const { return !m_waiting.empty(); }
  /// @brief The earliest cycle at which a server frees (now if one is free).
  Cycles next_free(Cycles now) const;
  /// @brief Cycles each server was busy.
  const std::vector<uint64_t>& busy() const { return m_busy; }
  /// @brief Cycles requests waited between posting and start, summed.
  uint64_t waited() const { return m_waited; }

 private:
  Policy m_policy;
  std::vector<Cycles> m_free_at;
  std::vector<uint64_t> m_busy;
  std::vector<Ticket*> m_waiting;
  uint64_t m_last = 0;  ///< round robin: the requester served last
  bool m_any = false;
  uint64_t m_waited = 0;
};

class Arbiter : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Arbiter);
  Arbiter(sc_core::sc_module_name name, TimeBase& tb, int servers, Policy policy);
  /// @brief Posts @p t (from an edge); the requester's event fires when it is done.
  void post(Ticket& t);
  /// @brief From a thread: posts a request and sleeps until it is done; returns the ticket.
  Ticket serve(uint64_t requester, Cycles busy, Cycles latency, int tag, sc_core::sc_event& wake);
  const ArbiterCore& core() const { return m_core; }

 private:
  void decide();
  TimeBase& m_tb;
  ArbiterCore m_core;
  sc_core::sc_event m_decide;
  std::vector<Ticket*> m_granted;
};

}  // namespace pcmsim
