// A 2-D mesh of routers at flit level (router.h): `concentration` tiles per router, XY routing,
// wormhole flow control with credits, multicast by copying flits where XY routes split. Tiles
// take routers in snake order (row 0 left to right, row 1 right to left, ...), so tiles numbered
// next to each other, which the mapper fills with one layer's arrays, are one hop apart; the
// global buffer has its own ports on router (buffer_x, buffer_y).
//
// Each endpoint's NI injects the flits of the messages in its send queue one per cycle while it
// holds credits for its router's local input buffer, and ejects arriving flits from a buffer of
// `buffer_depth` flits into its endpoint, which takes each in its own time (a write into an
// SRAM, or at once into registers); the router's local output holds credits for that buffer.

#include <deque>
#include <map>
#include <memory>
#include <unordered_map>

#include "sim/arch/common/credits.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/arch/noc/router.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

class Mesh;

class MeshNi : public sc_core::sc_module, public FlitReceiver, public CreditReceiver {
 public:
  SC_HAS_PROCESS(MeshNi);
  MeshNi(sc_core::sc_module_name name, Mesh& mesh, int e, uint64_t queue);
  void plug(Router* r, int local_port, int inject_depth);
  void attach_stats(StatGroup& parent) {
    m_stats = std::make_unique<StatGroup>(basename(), &parent);
    s_injected = &m_stats->counter("flits_injected", "flits", "flits it put into its router");
    s_ejected = &m_stats->counter("flits_ejected", "flits", "flits it took out of its router");
    s_stall = &m_stats->counter(
        "inject_stall_cycles", "cycles",
        "cycles a flit waited to enter its router: the router's input buffer was full");
  }
  void send(const Message& m, uint64_t requester, sc_core::sc_event& wake, Counter* stall);
  void accept(int port, const Flit& f) override;
  void credit(int port, Cycles at) override;
  SharedSpace& space() { return *m_space; }

 private:
  void sender();
  void receiver();
  Mesh& m_mesh;
  int m_e;
  Router* m_router = nullptr;
  int m_port = 0;
  std::unique_ptr<SharedSpace> m_space;
  std::unique_ptr<Deliveries> m_deliveries;
  std::deque<Message> m_out;
  uint32_t m_credits = 0;
  std::deque<Cycles> m_pending;
  std::deque<Flit> m_eject;
  Cycles m_next_inject;
  sc_core::sc_event m_out_ev, m_credit_ev, m_in_ev, m_recv_wake;
  std::unique_ptr<StatGroup> m_stats;
  Counter *s_injected = nullptr, *s_ejected = nullptr, *s_stall = nullptr;
};

class Mesh : public Interconnect {
 public:
  explicit Mesh(Params& p) : m_params(p) {
    // Parameter declarations, one statement each (kept whole, in the order describe lists them).
    m_cols = p.get<int>("cols")
                 .desc("routers per row; 0 = the smallest square mesh that holds the tiles")
                 .unit("routers")
                 .range(0, 4096)
                 .def(0);
    m_rows = p.get<int>("rows")
                 .desc("routers per column; 0 = as many rows as the tiles need")
                 .unit("routers")
                 .range(0, 4096)
                 .def(0);
    m_conc = p.get<int>("concentration")
                 .desc("tiles sharing one router (concentrated mesh)")
                 .unit("tiles")
                 .range(1, 64)
                 .def(1);
    m_flit = p.get<int64_t>("flit")
                 .desc("flit width: bytes a link carries per cycle")
                 .unit("B")
                 .range(1, 4096)
                 .def(32);
    m_set.router_latency = Cycles(uint64_t(p.get<int>("router_latency")
                                               .desc("cycles a flit spends in each router")
                                               .unit("cycles")
                                               .range(0, 1000)
                                               .def(2)));
    m_set.link_latency = Cycles(uint64_t(p.get<int>("link_latency")
                                             .desc("cycles a flit spends on a link")
                                             .unit("cycles")
                                             .range(1, 1000)
                                             .def(1)));
    m_set.depth = p.get<int>("buffer_depth")
                      .desc(
                          "flits each router input buffer (and each NI's ejection buffer) "
                          "holds; 4 covers a credit's round trip at the default latencies")
                      .unit("flits")
                      .range(1, 1 << 20)
                      .def(4);
    m_set.policy =
        read_policy(p, "a router's free output takes the waiting head flits", Policy::RoundRobin);
    m_multicast = p.get<bool>("multicast")
                      .desc(
                          "fan-out as one packet copied where XY routes split (else one "
                          "unicast per destination with only the rows it needs)")
                      .def(false);
    m_buffer_x = p.get<int>("buffer_x")
                     .desc("column of the global buffer's router")
                     .unit("routers")
                     .range(0, 4095)
                     .def(0);
    m_buffer_y = p.get<int>("buffer_y")
                     .desc("row of the global buffer's router")
                     .unit("routers")
                     .range(0, 4095)
                     .def(0);
    // Links: 0.1 pJ/bit/mm for repeated on-chip wires (Horowitz, "Computing's energy problem",
    // ISSCC 2014, 45 nm) over an assumed 1 mm between routers; routers: assumed the same again
    // per flit (buffer write and read, crossbar, allocation).
    const double wire = 0.1 * 8.0 * double(m_flit);
    m_link_pj = p.get<double>("link_energy")
                    .desc("energy of one flit on one link")
                    .unit("pJ")
                    .range(0.0, 1e6)
                    .def(wire);
    m_router_pj = p.get<double>("router_energy")
                      .desc("energy of one flit through one router")
                      .unit("pJ")
                      .range(0.0, 1e6)
                      .def(wire);
    // ISAAC's router: 0.151 mm2 for a 4-tile concentrated router at 32 nm (Shafiee et al.,
    // ISCA 2016, Table 2).
    m_router_area = p.get<double>("router_area")
                        .desc("area of one router")
                        .unit("um2")
                        .range(0.0, 1e12)
                        .def(151000.0);
    m_router_leak = p.get<double>("router_leakage")
                        .desc("static power of one router")
                        .unit("mW")
                        .range(0.0, 1e6)
                        .def(0.0);
    m_queue = read_queue_size(p);
  }

  void attach(TimeBase& tb, int tiles, StatGroup& parent, EnergyLedger& ledger) override;
  std::vector<int> place(int tiles);
  void make_stats(StatGroup& parent);
  void wire(TimeBase& tb, int tiles, const std::vector<int>& locals);
  void size_queue(int e, uint64_t largest) override {
    if (m_queue == 0) m_nis[index(e)]->space().set_capacity(std::max<uint64_t>(1, 2 * largest));
  }
  void send(const Message& m, uint64_t requester, sc_core::sc_event& wake,
            Counter* stall) override {
    m_nis[index(m.src)]->send(m, requester, wake, stall ? stall : s_queue_full);
  }
  bool multicasts() const override { return m_multicast; }
  double pj_per_action() const override { return m_router_pj + m_link_pj; }
  double peak_mw(double ghz) const override {
    // Each router forwards one flit per cycle on each output it has: its links to neighbouring
    // routers (an edge router has fewer) and its local ports; every forwarded flit is a router
    // crossing and a link.
    double outputs = 0;
    for (const auto& r : m_routers)
      for (int p = 0; p < r->ports(); ++p) outputs += r->connected(p) ? 1.0 : 0.0;
    return outputs * ghz * (m_router_pj + m_link_pj) + double(m_routers.size()) * m_router_leak;
  }
  std::vector<uint64_t> link_busy() const override {
    std::vector<uint64_t> b;
    for (const auto& r : m_routers)
      for (int p = 0; p < Router::kLocal; ++p)
        if (r->connected(p)) b.push_back(r->busy(p));
    return b;
  }

  TimeBase& tb() { return *m_tb; }
  Endpoint* endpoint_of(int e) const { return endpoint(e); }
  std::pair<int, int> router_of(int e) const {
    if (e < 0) return {m_buffer_x, m_buffer_y};
    const int slot = e / m_conc, y = slot / m_cols, i = slot % m_cols;
    return {y % 2 == 0 ? i : m_cols - 1 - i, y};
  }
  int local_port_of(int e) const { return m_local_port[index(e)]; }
  const RouterSettings& settings() const { return m_set; }
  /// A packet for @p m, owned by the mesh until its last destination has its tail.
  MeshPacket* make_packet(const Message& m, Cycles now) {
    auto p = std::make_unique<MeshPacket>();
    p->msg = std::make_shared<const Message>(m);
    p->flit_bytes = uint32_t(m_flit);
    p->flits = uint32_t(std::max<uint64_t>(1, ceil_div(m.bytes, uint64_t(m_flit))));
    std::tie(p->src_x, p->src_y) = router_of(m.src);
    for (int d : m.dsts) {
      const auto [x, y] = router_of(d);
      p->dests.push_back({x, y, local_port_of(d)});
    }
    p->remaining = int(m.dsts.size());
    p->injected = now;
    s_packets->add(1, m.tag);
    s_flits->add(p->flits, m.tag);
    s_bytes->add(m.bytes, m.tag);
    MeshPacket* raw = p.get();
    m_packets.emplace(raw, std::move(p));
    return raw;
  }
  /// A destination has the tail of @p p.
  void delivered(MeshPacket* p, Cycles now) {
    s_latency->add(double((now - p->injected).count()), p->msg->tag);
    if (--p->remaining == 0) m_packets.erase(p);
  }
  Counter& buffer_full() { return *s_buffer_full; }

 private:
  Params m_params;
  int m_cols, m_rows, m_conc, m_buffer_x, m_buffer_y;
  int64_t m_flit;
  RouterSettings m_set;
  bool m_multicast;
  double m_link_pj, m_router_pj, m_router_area, m_router_leak;
  uint64_t m_queue;
  TimeBase* m_tb = nullptr;
  std::vector<std::unique_ptr<Router>> m_routers;
  std::vector<std::unique_ptr<MeshNi>> m_nis;
  std::vector<int> m_local_port;
  std::unordered_map<MeshPacket*, std::unique_ptr<MeshPacket>> m_packets;
  Counter *s_packets = nullptr, *s_flits = nullptr, *s_bytes = nullptr, *s_flit_hops = nullptr,
          *s_buffer_full = nullptr, *s_contention = nullptr, *s_queue_full = nullptr;
  Accumulator* s_latency = nullptr;
};

void Mesh::attach(TimeBase& tb, int tiles, StatGroup& parent, EnergyLedger& ledger) {
  m_tb = &tb;
  m_tiles = tiles;
  m_endpoints.resize(size_t(tiles) + 1, nullptr);
  const std::vector<int> locals = place(tiles);
  make_stats(parent);
  wire(tb, tiles, locals);
  const std::string path = m_stats->full_name();
  ledger.bind(path, "interconnect", *s_flit_hops, m_router_pj + m_link_pj);
  ledger.leakage(path, m_router_leak * double(m_routers.size()));
  ledger.area(path, "interconnect", m_router_area * double(m_routers.size()));
}

std::vector<int> Mesh::place(int tiles) {
  // The mesh's size (the smallest square that holds the tiles, unless configured), then each
  // endpoint's router and local port.
  const int slots = (tiles + m_conc - 1) / m_conc;
  if (m_cols == 0) {
    m_cols = 1;
    while (m_cols * m_cols < slots) ++m_cols;
  }
  if (m_rows == 0) m_rows = (slots + m_cols - 1) / m_cols;
  if (int64_t(m_cols) * m_rows * m_conc < tiles) {
    m_params.fail(m_params.has("rows") ? "rows" : "cols",
                  "a mesh of " + std::to_string(m_cols) + " x " + std::to_string(m_rows) +
                      " routers with " + std::to_string(m_conc) + " tile(s) each holds " +
                      std::to_string(int64_t(m_cols) * m_rows * m_conc) + " tiles; the chip has " +
                      std::to_string(tiles) + " (chip.tiles)");
  }
  if (m_buffer_x >= m_cols)
    m_params.fail("buffer_x", "outside the mesh's " + std::to_string(m_cols) + " columns");
  if (m_buffer_y >= m_rows)
    m_params.fail("buffer_y", "outside the mesh's " + std::to_string(m_rows) + " rows");
  std::vector<int> locals(size_t(m_cols) * size_t(m_rows), 0);
  m_local_port.assign(size_t(tiles) + 1, 0);
  for (int e = 0; e <= tiles; ++e) {
    const auto [x, y] = router_of(e < tiles ? e : kGlobalBuffer);
    m_local_port[size_t(e)] = locals[size_t(y * m_cols + x)]++;
  }
  return locals;
}

void Mesh::make_stats(StatGroup& parent) {
  // Stats shared by the routers and NIs.
  m_stats = std::make_unique<StatGroup>(basename(), &parent);
  s_packets = &m_stats->counter("packets", "packets", "packets sent (a multicast is one)");
  s_flits = &m_stats->counter("flits", "flits", "flits injected");
  s_bytes = &m_stats->counter("bytes", "B", "bytes injected");
  s_flit_hops = &m_stats->counter(
      "flit_hops", "flit-hops", "flits times router outputs crossed (each with its link or port)");
  s_buffer_full = &m_stats->counter(
      "buffer_full_cycles", "cycles",
      "cycles flits waited for a credit: the buffer ahead full (routers and NI injection)");
  s_contention = &m_stats->counter("contention_cycles", "cycles",
                                   "cycles head flits waited for an output held by another packet");
  s_queue_full = &m_stats->counter("queue_full_cycles", "cycles",
                                   "cycles senders waited for room in their NI's send queue");
  s_latency =
      &m_stats->accumulator("packet_latency", "cycles",
                            "sum over packets and destinations of injection to tail received");
  m_stats->formula("routers", "routers", "routers in the mesh",
                   [this] { return double(m_routers.size()); });
  m_stats->formula("busiest_link_cycles", "cycles", "cycles the busiest link carried flits",
                   [this] {
                     uint64_t b = 0;
                     for (uint64_t l : link_busy()) b = std::max(b, l);
                     return double(b);
                   });
  m_stats->formula("link_cycles", "cycles", "cycles links carried flits, summed over links",
                   [this] {
                     uint64_t b = 0;
                     for (uint64_t l : link_busy()) b += l;
                     return double(b);
                   });
}

void Mesh::wire(TimeBase& tb, int tiles, const std::vector<int>& locals) {
  // Routers, their links to their neighbours, and each endpoint's NI on its router.
  const RouterStats rs{s_flit_hops, s_buffer_full, s_contention};
  within(*this, [&] {
    for (int y = 0; y < m_rows; ++y) {
      for (int x = 0; x < m_cols; ++x) {
        const std::string n = "router_" + std::to_string(x) + "_" + std::to_string(y);
        m_routers.push_back(std::make_unique<Router>(n.c_str(), tb, x, y,
                                                     locals[size_t(y * m_cols + x)], m_set, rs));
      }
    }
    for (int e = 0; e <= tiles; ++e) {
      const std::string n = e < tiles ? "ni" + std::to_string(e) : std::string("ni_gbuf");
      m_nis.push_back(
          std::make_unique<MeshNi>(n.c_str(), *this, e < tiles ? e : kGlobalBuffer, m_queue));
    }
  });
  auto at = [this](int x, int y) { return m_routers[size_t(y * m_cols + x)].get(); };
  for (int y = 0; y < m_rows; ++y) {
    for (int x = 0; x < m_cols; ++x) {
      Router* r = at(x, y);
      const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1}, back[4] = {1, 0, 3, 2};
      for (int d = 0; d < 4; ++d) {
        const int nx = x + dx[d], ny = y + dy[d];
        if (nx < 0 || ny < 0 || nx >= m_cols || ny >= m_rows) continue;
        r->connect_out(d, at(nx, ny), back[d], m_set.depth, m_set.link_latency);
        at(nx, ny)->connect_in(back[d], r, d);
      }
    }
  }
  for (int e = 0; e <= tiles; ++e) {
    const auto [x, y] = router_of(e < tiles ? e : kGlobalBuffer);
    m_nis[size_t(e)]->plug(at(x, y), Router::kLocal + m_local_port[size_t(e)], m_set.depth);
    m_nis[size_t(e)]->attach_stats(*m_stats);
  }
}

MeshNi::MeshNi(sc_core::sc_module_name name, Mesh& mesh, int e, uint64_t queue)
    : sc_module(name), m_mesh(mesh), m_e(e) {
  m_space = std::make_unique<SharedSpace>("queue", mesh.tb(), queue == 0 ? kUnlimited : queue,
                                          Policy::OldestFirst);
  m_deliveries = std::make_unique<Deliveries>("deliveries", mesh.tb());
  SC_THREAD(sender);
  SC_THREAD(receiver);
}

void MeshNi::plug(Router* r, int local_port, int inject_depth) {
  m_router = r;
  m_port = local_port;
  m_credits = uint32_t(inject_depth);
  r->connect_in(local_port, this, 0);
  // Ejection: the router's local output into this NI's buffer, one cycle through the port.
  r->connect_out(local_port, this, 0, m_mesh.settings().depth, Cycles(1));
}

void MeshNi::send(const Message& m, uint64_t requester, sc_core::sc_event& wake, Counter* stall) {
  m_space->acquire(m.bytes, requester, wake, stall, m.tag);
  m_out.push_back(m);
  m_mesh.tb().count_event();
  m_out_ev.notify(sc_core::SC_ZERO_TIME);
}

void MeshNi::credit(int, Cycles at) {
  m_pending.push_back(at);
  m_mesh.tb().notify_edge(m_credit_ev, at);
}

void MeshNi::accept(int, const Flit& f) {
  m_eject.push_back(f);
  m_mesh.tb().notify_edge(m_in_ev, f.arrival);
}

void MeshNi::sender() {
  TimeBase& tb = m_mesh.tb();
  for (;;) {
    while (m_out.empty()) tb.wait(m_out_ev);
    const Message m = m_out.front();
    m_out.pop_front();
    MeshPacket* p = m_mesh.make_packet(m, tb.now());
    uint32_t k = 0;
    while (k < p->flits) {
      // Credits that are back; without one, the flit waits (the router's buffer is full).
      const Cycles t0 = tb.now();
      for (;;) {
        while (!m_pending.empty() && m_pending.front() <= tb.now()) {
          ++m_credits;
          m_pending.pop_front();
        }
        if (m_credits > 0) break;
        // The next credit back (an event keeps only its earliest pending notification).
        if (!m_pending.empty()) {
          tb.wait_until(m_pending.front());
        } else {
          tb.wait(m_credit_ev);
        }
      }
      const uint64_t waited = (tb.now() - t0).count();
      if (waited) {
        m_mesh.buffer_full().add(waited, m.tag);
        s_stall->add(waited, m.tag);
      }
      // As many flits as there are credits, one per cycle through the injection port.
      uint64_t bytes = 0;
      Cycles last;
      while (k < p->flits && m_credits > 0) {
        --m_credits;
        const Cycles at = max(tb.now(), m_next_inject);
        m_next_inject = at + Cycles(1);
        m_router->accept(m_port, Flit{p, k, at});
        s_injected->add(1, m.tag);
        bytes += p->bytes_of(k);
        last = at;
        ++k;
      }
      tb.wait_until(last);
      m_space->release(bytes);
      if (k < p->flits) tb.wait_until(m_next_inject);
    }
  }
}

void MeshNi::receiver() {
  TimeBase& tb = m_mesh.tb();
  for (;;) {
    while (m_eject.empty() || m_eject.front().arrival > tb.now()) {
      if (m_eject.empty()) {
        tb.wait(m_in_ev);
      } else {
        tb.wait_until(m_eject.front().arrival);
      }
    }
    const Flit f = m_eject.front();
    Endpoint* ep = m_mesh.endpoint_of(m_e);
    const Cycles stored = ep->store(*f.pkt->msg, f.pkt->bytes_of(f.index), m_recv_wake);
    m_eject.pop_front();
    s_ejected->add(1, f.pkt->msg->tag);
    m_router->credit(m_port, tb.now() + Cycles(1));
    if (f.tail()) {
      m_deliveries->set_endpoint(ep);
      m_deliveries->add(stored, f.pkt->msg);
      m_mesh.delivered(f.pkt, tb.now());
    }
  }
}

}  // namespace

PCMSIM_REGISTER(Interconnect, Mesh, "mesh",
                "2-D mesh NoC at flit level: XY routing, wormhole with credits, multicast");

}  // namespace pcmsim
