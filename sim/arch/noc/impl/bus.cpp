// A shared bus: one transfer at a time, `width` bytes per cycle, arbitrated among the endpoints'
// NIs by its policy; the data arrives `latency` cycles after the last byte is sent. With
// `broadcast` one transfer reaches every destination of a message.

#include <deque>
#include <memory>

#include "sim/arch/common/arbiter.h"
#include "sim/arch/common/credits.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/arch/common/wire.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

class Bus;

/// One endpoint's network interface on the bus: a send queue drained one transfer at a time,
/// and a receive queue of arrived messages that the endpoint stores in order.
class BusNi : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(BusNi);
  BusNi(sc_core::sc_module_name name, Bus& bus, int e, uint64_t queue);
  void send(const Message& m, uint64_t requester, sc_core::sc_event& wake, Counter* stall);
  void arrive(const std::shared_ptr<const Message>& m, Cycles at);
  SharedSpace& space() { return *m_space; }

 private:
  void sender();
  void receiver();
  Bus& m_bus;
  int m_e;
  std::unique_ptr<SharedSpace> m_space;
  std::unique_ptr<Deliveries> m_deliveries;
  std::deque<Message> m_out;
  std::deque<std::pair<std::shared_ptr<const Message>, Cycles>> m_in;
  sc_core::sc_event m_out_ev, m_in_ev, m_send_wake, m_recv_wake;
};

class Bus : public Interconnect {
 public:
  explicit Bus(Params& p) {
    // Energy: assumed 0.1 pJ/bit/mm over 2 mm of on-chip wire (~0.1 pJ/bit/mm for repeated
    // wires in 45 nm: Horowitz, "Computing's energy problem", ISSCC 2014) -> 1.6 pJ per byte.
    m_wire = read_wire(p, Wire{32, Cycles(2), 1.6, 0.0, 0.0}, "wires and arbiter");
    m_broadcast = p.get<bool>("broadcast")
                      .desc(
                          "a layer's input reaches all its tiles in one transfer (else each "
                          "tile receives the rows it needs, one transfer each)")
                      .def(false);
    m_policy = read_policy(p, "waiting transfers get the bus", Policy::RoundRobin);
    m_queue = read_queue_size(p);
  }

  void attach(TimeBase& tb, int tiles, StatGroup& parent, EnergyLedger& ledger) override {
    m_tb = &tb;
    m_tiles = tiles;
    m_endpoints.resize(size_t(tiles) + 1, nullptr);
    within(*this, [&] {
      m_arb = std::make_unique<Arbiter>("arbiter", tb, 1, m_policy);
      for (int e = 0; e <= tiles; ++e) {
        const std::string n = e < tiles ? "ni" + std::to_string(e) : std::string("ni_gbuf");
        m_nis.push_back(
            std::make_unique<BusNi>(n.c_str(), *this, e < tiles ? e : kGlobalBuffer, m_queue));
      }
    });
    m_stats = std::make_unique<StatGroup>(basename(), &parent);
    s_transfers = &m_stats->counter("transfers", "transfers", "transfers carried");
    s_bytes = &m_stats->counter("bytes", "B", "bytes carried (a broadcast once)");
    s_stall = &m_stats->counter("queue_full_cycles", "cycles",
                                "cycles senders waited for room in their NI's send queue");
    m_stats->formula("busy_cycles", "cycles", "cycles the bus carried data",
                     [this] { return double(m_arb->core().busy()[0]); });
    m_stats->formula("wait_cycles", "cycles", "cycles transfers waited for the bus (contention)",
                     [this] { return double(m_arb->core().waited()); });
    const std::string path = m_stats->full_name();
    m_wire.bind(ledger, path, *s_bytes);
  }
  void size_queue(int e, uint64_t largest) override {
    if (m_queue == 0) m_nis[index(e)]->space().set_capacity(std::max<uint64_t>(1, 2 * largest));
  }
  void send(const Message& m, uint64_t requester, sc_core::sc_event& wake,
            Counter* stall) override {
    m_nis[index(m.src)]->send(m, requester, wake, stall ? stall : s_stall);
  }
  bool multicasts() const override { return m_broadcast; }
  double pj_per_action() const override { return m_wire.pj_per_byte; }
  double peak_mw(double ghz) const override { return m_wire.peak_mw(ghz); }
  std::vector<uint64_t> link_busy() const override { return {m_arb->core().busy()[0]}; }

  /// One transfer of @p m from endpoint @p e's NI: waits for the bus, occupies it while the
  /// bytes move, and hands the message to each destination's NI `latency` cycles later.
  void carry(int e, const Message& m, sc_core::sc_event& wake) {
    auto shared = std::make_shared<const Message>(m);
    const size_t transfers = m_broadcast ? 1 : m.dsts.size();
    for (size_t k = 0; k < transfers; ++k) {
      const Cycles busy = m_wire.busy(m.bytes);
      const Ticket t = m_arb->serve(uint64_t(index(e)), busy, Cycles(0), m.tag, wake);
      s_transfers->add(1, m.tag);
      s_bytes->add(m.bytes, m.tag);
      const Cycles at = t.done + m_wire.latency;
      if (m_broadcast) {
        for (int d : m.dsts) m_nis[index(d)]->arrive(shared, at);
      } else {
        m_nis[index(m.dsts[k])]->arrive(shared, at);
      }
    }
  }
  TimeBase& tb() { return *m_tb; }
  Endpoint* endpoint_of(int e) const { return endpoint(e); }

 private:
  Wire m_wire;
  bool m_broadcast;
  Policy m_policy;
  uint64_t m_queue;
  TimeBase* m_tb = nullptr;
  std::unique_ptr<Arbiter> m_arb;
  std::vector<std::unique_ptr<BusNi>> m_nis;
  Counter *s_transfers = nullptr, *s_bytes = nullptr, *s_stall = nullptr;
};

BusNi::BusNi(sc_core::sc_module_name name, Bus& bus, int e, uint64_t queue)
    : sc_module(name), m_bus(bus), m_e(e) {
  m_space = std::make_unique<SharedSpace>("queue", bus.tb(), queue == 0 ? kUnlimited : queue,
                                          Policy::OldestFirst);
  m_deliveries = std::make_unique<Deliveries>("deliveries", bus.tb());
  SC_THREAD(sender);
  SC_THREAD(receiver);
}

void BusNi::send(const Message& m, uint64_t requester, sc_core::sc_event& wake, Counter* stall) {
  m_space->acquire(m.bytes, requester, wake, stall, m.tag);
  m_out.push_back(m);
  m_bus.tb().count_event();
  m_out_ev.notify(sc_core::SC_ZERO_TIME);
}

void BusNi::arrive(const std::shared_ptr<const Message>& m, Cycles at) {
  m_in.emplace_back(m, at);
  m_bus.tb().notify_edge(m_in_ev, max(at, m_bus.tb().now()));
}

void BusNi::sender() {
  TimeBase& tb = m_bus.tb();
  for (;;) {
    while (m_out.empty()) tb.wait(m_out_ev);
    const Message m = m_out.front();
    m_out.pop_front();
    m_bus.carry(m_e, m, m_send_wake);
    m_space->release(m.bytes);
  }
}

void BusNi::receiver() {
  TimeBase& tb = m_bus.tb();
  for (;;) {
    while (m_in.empty()) tb.wait(m_in_ev);
    const auto [m, at] = m_in.front();
    tb.wait_until(at);
    m_in.pop_front();
    Endpoint* ep = m_bus.endpoint_of(m_e);
    m_deliveries->set_endpoint(ep);
    m_deliveries->add(ep->store(*m, m->bytes, m_recv_wake), m);
  }
}

}  // namespace

PCMSIM_REGISTER(Interconnect, Bus, "bus", "shared bus: one transfer at a time, width bytes/cycle");

}  // namespace pcmsim
