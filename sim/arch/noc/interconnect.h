#pragma once
// The on-chip interconnect (registered under "interconnect") and its endpoint protocol.
//
// Endpoints are the tiles (0 .. tiles-1) and the global buffer (kGlobalBuffer). Each has a
// network interface (NI) with a send queue of finite capacity. A module of an endpoint hands a
// message to its NI with send(): the call returns once the message is in the send queue (it
// waits while the queue lacks room: the module's output-full stall). The interconnect carries the
// message to each of its destinations, where the destination's Endpoint stores it (store(), which
// may take time: an SRAM write) and is told when all of it has arrived (received()).
//
// Flow control is end to end as well as link by link: a sender sends only what its destination
// has room for (each module reserves space at the destination before it sends, e.g. a tile
// buffer partition or an accumulator slot), so an endpoint always drains what reaches it and the
// network cannot deadlock on a full endpoint. Inside a mesh, router input buffers of finite depth
// hold flits back link by link with credits.
//
// A user's model of an endpoint or of the whole interconnect implements these two interfaces.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "sim/arch/common/timebase.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

/// @brief The global buffer's endpoint number (tiles are 0 .. tiles-1).
constexpr int kGlobalBuffer = -1;

/// @brief What a message carries, for its receiver.
enum class Payload : uint8_t {
  Rows,     ///< rows of a step's input, to the tiles that run it
  Psums,    ///< partial sums of one output pixel, to the copy's home tile
  Outputs,  ///< a step's outputs (one pixel, or one row), to the global buffer
  Test      ///< anything else (scenario tests)
};

struct Message {
  int src = 0;
  std::vector<int> dsts;
  uint64_t bytes = 0;
  int tag = -1;  ///< the step it is for (stats attribution)
  Payload payload = Payload::Test;
  int slot = 0;       ///< image slot
  int step = -1;      ///< step it is for
  int input = 0;      ///< Rows: which input of the step
  int copy = 0;       ///< Psums: which copy of the layer
  int64_t index = 0;  ///< Rows: the row; Psums: the pixel; Outputs: the row of the stored value
  int value = -1;     ///< Outputs: the stored value
  uint64_t id = 0;    ///< sender's sequence number (tests)
};

/// @brief The receiving side of an endpoint.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  /// @brief From the endpoint's receive process: stores @p bytes of arriving message @p m (a
  /// chunk of it: a flit on a mesh, the whole message on a bus); returns once the endpoint can
  /// take the next chunk, and returns the cycle these bytes are stored (a pipelined write may
  /// finish later).
  virtual Cycles store(const Message& m, uint64_t bytes, sc_core::sc_event& wake) = 0;
  /// @brief All of @p m has been stored (called at the cycle its last chunk is).
  virtual void received(const Message& m) = 0;
};

/// @brief An NI's deliveries: tells its endpoint that a message has arrived at the cycle the
/// message's last chunk is stored, in arrival order (writes finish in order).
class Deliveries : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Deliveries);
  Deliveries(sc_core::sc_module_name name, TimeBase& tb);
  void set_endpoint(Endpoint* ep) { m_ep = ep; }
  void add(Cycles at, std::shared_ptr<const Message> m);

 private:
  void run();
  TimeBase& m_tb;
  Endpoint* m_ep = nullptr;
  std::deque<std::pair<Cycles, std::shared_ptr<const Message>>> m_queue;
  sc_core::sc_event m_added;
};

class Interconnect : public sc_core::sc_module {
 public:
  static constexpr const char* kInterface = "interconnect";
  /// @brief Places @p tiles tiles and the global buffer, creates its NIs (and routers) and its
  /// stats under @p parent with their costs; an Error if they do not fit.
  virtual void attach(TimeBase& tb, int tiles, StatGroup& parent, EnergyLedger& ledger) = 0;
  /// @brief Who receives at endpoint @p e.
  void set_endpoint(int e, Endpoint* ep);
  /// @brief The send-queue capacity of endpoint @p e's NI when it is sized automatically: twice
  /// its largest message @p largest (double buffering); a configured size stays.
  virtual void size_queue(int e, uint64_t largest) = 0;
  /// @brief From a thread of endpoint m.src: puts @p m into its NI's send queue, waiting for
  /// room (arbitrated among the endpoint's senders by @p requester); the cycles waited beyond
  /// the one-cycle handshake go to @p stall.
  virtual void send(const Message& m, uint64_t requester, sc_core::sc_event& wake,
                    Counter* stall) = 0;
  /// @brief Whether one message can reach several destinations at once (bus broadcast, mesh
  /// multicast); otherwise a module sends one message per destination.
  virtual bool multicasts() const = 0;
  /// @brief Energy of one action (a byte on a bus, a flit through a router and its link) in pJ.
  virtual double pj_per_action() const = 0;
  /// @brief Power in mW with every port moving its width each cycle, static power included.
  virtual double peak_mw(double clock_ghz) const = 0;
  /// @brief Cycles each of its links carried data (a bus: one; a mesh: each link between
  /// neighbouring routers), for utilization.
  virtual std::vector<uint64_t> link_busy() const = 0;
  StatGroup& stats() { return *m_stats; }

 protected:
  Interconnect() = default;
  /// Index of endpoint @p e in per-endpoint vectors (the global buffer last).
  size_t index(int e) const { return e < 0 ? size_t(m_tiles) : size_t(e); }
  Endpoint* endpoint(int e) const { return m_endpoints[index(e)]; }
  int m_tiles = 0;
  std::vector<Endpoint*> m_endpoints;
  std::unique_ptr<StatGroup> m_stats;
};

/// @brief Reads `queue`: the NIs' send-queue capacity in B, `auto` or `unlimited`.
uint64_t read_queue_size(Params& p);

}  // namespace pcmsim
