#pragma once
// A mesh router at flit level (wormhole flow control, XY routing). Each input port has a buffer
// of `depth` flits; the router upstream of it holds one credit per free slot. A flit that
// arrives at cycle a may cross the switch from cycle a + `router_latency`; a head flit first wins
// its output port (the ports of all its branches at once, for a multicast, which copies it where
// the XY routes of its destinations split), and the port stays with its packet until the tail
// has crossed. Each output moves one flit per cycle, only with a credit for the buffer at the
// other end of its link, and the flit arrives there `link_latency` cycles later; the freed slot's
// credit is back upstream the next cycle. Outputs are allocated in the router's decision phase by
// its policy (round robin over the inputs, or the oldest head first).
//
// Ports: 0 east (+x), 1 west, 2 south (+y), 3 north, 4.. the local ports of the endpoints
// attached to it (their NIs inject and eject there).

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "sim/arch/common/timebase.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/base/stats.h"

namespace pcmsim {

/// @brief A message on the mesh: its flits and the routers of its destinations.
struct MeshPacket {
  std::shared_ptr<const Message> msg;
  uint32_t flits = 1;
  uint32_t flit_bytes = 32;
  int src_x = 0, src_y = 0;
  struct Dest {
    int x, y, port;
  };
  std::vector<Dest> dests;
  Cycles injected;
  int remaining = 0;  ///< destinations still to receive the tail
  /// @brief Bytes of flit @p k.
  uint64_t bytes_of(uint32_t k) const {
    const uint64_t done = uint64_t(k) * flit_bytes;
    return std::min<uint64_t>(flit_bytes, msg->bytes > done ? msg->bytes - done : 0);
  }
};

struct Flit {
  MeshPacket* pkt = nullptr;
  uint32_t index = 0;  ///< 0: head; pkt->flits - 1: tail
  Cycles arrival;      ///< when it is in the buffer it was sent to
  bool head() const { return index == 0; }
  bool tail() const { return index + 1 == pkt->flits; }
};

/// @brief Something with input buffers that flits are sent to.
class FlitReceiver {
 public:
  virtual ~FlitReceiver() = default;
  virtual void accept(int port, const Flit& f) = 0;
};

/// @brief Something that holds credits for the buffers it sends to.
class CreditReceiver {
 public:
  virtual ~CreditReceiver() = default;
  /// @brief A slot of the buffer behind output @p port is free from cycle @p at.
  virtual void credit(int port, Cycles at) = 0;
};

struct RouterSettings {
  Cycles router_latency{2}, link_latency{1};
  int depth = 4;
  Policy policy = Policy::RoundRobin;
};

/// @brief Stats the routers of one mesh share.
struct RouterStats {
  Counter* flit_hops = nullptr;    ///< flits times output ports crossed (energy actions)
  Counter* buffer_full = nullptr;  ///< cycles flits waited for a credit (a full buffer ahead)
  Counter* contention = nullptr;   ///< cycles head flits waited for an output held by another
};

class Router : public sc_core::sc_module, public FlitReceiver, public CreditReceiver {
 public:
  static constexpr int kEast = 0, kWest = 1, kSouth = 2, kNorth = 3, kLocal = 4;
  SC_HAS_PROCESS(Router);
  Router(sc_core::sc_module_name name, TimeBase& tb, int x, int y, int locals,
         const RouterSettings& s, const RouterStats& stats);
  /// @brief Output @p port sends to input @p next_port of @p next, whose buffer holds @p depth
  /// flits, over a link of @p latency cycles.
  void connect_out(int port, FlitReceiver* next, int next_port, int depth, Cycles latency);
  /// @brief Input @p port's credits go back to output @p up_port of @p up.
  void connect_in(int port, CreditReceiver* up, int up_port);
  void accept(int port, const Flit& f) override;
  void credit(int port, Cycles at) override;
  int ports() const { return int(m_in.size()); }
  bool connected(int port) const { return m_out[size_t(port)].next != nullptr; }
  /// @brief Cycles output @p port carried a flit.
  uint64_t busy(int port) const { return m_out[size_t(port)].busy; }

 private:
  struct In {
    std::deque<Flit> buf;
    uint32_t want = 0;  ///< the front head's output ports (bit mask), once routed
    bool routed = false;
    uint32_t held = 0;  ///< output ports allocated to its current packet
    CreditReceiver* up = nullptr;
    int up_port = 0;
    int stall = 0;  ///< 0 moving; 1 waiting for a credit; 2 waiting for an output
    Cycles since;
  };
  struct Out {
    int alloc = -1;
    uint32_t credits = 0;
    std::deque<Cycles> pending;
    FlitReceiver* next = nullptr;
    int next_port = 0;
    Cycles latency;
    uint64_t busy = 0;
    int rr = -1;  ///< round robin: the input served last
  };
  void decide();
  uint32_t route(const MeshPacket& p) const;
  void allocate(Cycles now);
  void traverse(In& in, Cycles now);
  void schedule_next(Cycles now);
  bool eligible(const In& in, Cycles now) const {
    return !in.buf.empty() && in.buf.front().arrival + m_set.router_latency <= now;
  }
  void stall(In& in, int cause, Cycles now);
  void unstall(In& in, Cycles now);

  TimeBase& m_tb;
  int m_x, m_y;
  RouterSettings m_set;
  RouterStats m_stats;
  std::vector<In> m_in;
  std::vector<Out> m_out;
  sc_core::sc_event m_wake;
};

}  // namespace pcmsim
