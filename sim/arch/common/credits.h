#pragma once
// Finite storage with flow control, in the units it is counted in (bytes, vectors, flits).
//
// Credits: one producer acquires space, one consumer releases it (a FIFO between two processes).
// With a single acquirer the outcome never depends on the order in which the two run within a
// cycle: a release at cycle t wakes a producer waiting for it in cycle t.
//
// SharedSpace: several producers acquire space of one store (a network interface's send queue).
// Their requests are decided in the cycle's decision phase, in policy order, strictly in turn (a
// request that does not fit holds back those after it); a granted producer continues at the next
// edge.
//
// Both count the cycles producers waited for space ("full" stalls) by the producer's tag.

#include <cstdint>
#include <limits>
#include <string>
#include <systemc>
#include <vector>

#include "sim/arch/common/timebase.h"
#include "sim/base/stats.h"

namespace pcmsim {

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

class Credits {
 public:
  Credits(TimeBase& tb, uint64_t capacity) : m_tb(tb), m_free(capacity), m_capacity(capacity) {}
  /// @brief From the producer's thread: waits until @p n units are free and takes them; the
  /// cycles it waited are added to @p stall (attributed to @p tag), if given. Returns them.
  uint64_t acquire(uint64_t n, Counter* stall = nullptr, int tag = -1);
  /// @brief Whether @p n units are free now.
  bool available(uint64_t n) const { return m_capacity == kUnlimited || m_free >= n; }
  /// @brief The consumer frees @p n units.
  void release(uint64_t n);
  uint64_t capacity() const { return m_capacity; }

 private:
  TimeBase& m_tb;
  uint64_t m_free, m_capacity;
  sc_core::sc_event m_released;
};

/// @brief A window over a numbered sequence (pixels): item q may be produced once q < limit.
/// The consumer raises the limit as it finishes items; producers wait for their own item's turn.
class Window {
 public:
  Window(TimeBase& tb, uint64_t size) : m_tb(tb), m_limit(size) {}
  /// @brief Waits until item @p q is inside the window; adds the wait to @p stall.
  void enter(uint64_t q, Counter* stall = nullptr, int tag = -1);
  /// @brief Moves the window's end to @p limit (never back).
  void advance(uint64_t limit);

 private:
  TimeBase& m_tb;
  uint64_t m_limit;
  sc_core::sc_event m_moved;
};

class SharedSpace : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(SharedSpace);
  SharedSpace(sc_core::sc_module_name name, TimeBase& tb, uint64_t capacity, Policy policy);
  /// @brief From a producer's thread: waits until @p n units are granted to it. A request larger
  /// than the whole store is granted when the store is empty (it streams through).
  void acquire(uint64_t n, uint64_t requester, sc_core::sc_event& wake, Counter* stall = nullptr,
               int tag = -1);
  void release(uint64_t n);
  uint64_t capacity() const { return m_capacity; }
  void set_capacity(uint64_t c) { m_capacity = m_free = c; }

 private:
  struct Request {
    uint64_t n, requester;
    Cycles posted;
    sc_core::sc_event* wake;
    bool granted;
  };
  void decide();
  TimeBase& m_tb;
  uint64_t m_capacity, m_free;
  Policy m_policy;
  uint64_t m_last = 0;
  bool m_any = false;
  std::vector<Request*> m_waiting;
  sc_core::sc_event m_decide;
};

}  // namespace pcmsim
