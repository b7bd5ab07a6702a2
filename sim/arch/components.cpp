#include "sim/arch/components.h"

#include <algorithm>

#include "sim/base/registry.h"

namespace pcmsim {

Cycles Resource::reserve(Cycles now, Cycles busy) {
  const uint64_t d = busy.count();
  uint64_t t = std::max(now.count(), m_floor);
  if (d > 0) {
    // The first booked interval that could overlap [t, t + d), then walk the gaps.
    auto it = m_booked.upper_bound(t);
    if (it != m_booked.begin()) {
      auto p = std::prev(it);
      if (p->second > t) t = p->second;
    }
    while (it != m_booked.end() && it->first < t + d) {
      t = std::max(t, it->second);
      ++it;
    }
    // Book [t, t + d), merging with the intervals it touches.
    uint64_t s = t, e = t + d;
    auto next = m_booked.lower_bound(s);
    if (next != m_booked.end() && next->first == e) {
      e = next->second;
      next = m_booked.erase(next);
    }
    if (next != m_booked.begin()) {
      auto p = std::prev(next);
      if (p->second == s) {
        p->second = e;
      } else {
        m_booked.emplace_hint(next, s, e);
      }
    } else {
      m_booked.emplace_hint(next, s, e);
    }
    while (m_booked.size() > kWindow) {
      m_floor = m_booked.begin()->second;
      m_booked.erase(m_booked.begin());
    }
    m_last_end = max(m_last_end, Cycles(t + d));
  }
  m_wait += Cycles(t) - now;
  m_busy += busy;
  return Cycles(t);
}

namespace {

/// A shared bus: one transfer at a time, `width` bytes per cycle, fixed latency after the last
/// byte. Transfers that overlap in time serialize.
class Bus : public Interconnect {
 public:
  explicit Bus(Params& p) {
    m_width =
        p.get<int64_t>("width").desc("bytes moved per cycle").unit("B").range(1, 1 << 20).def(32);
    m_latency = Cycles(uint64_t(p.get<int>("latency")
                                    .desc("cycles from last byte sent to arrival")
                                    .unit("cycles")
                                    .range(0, 1000000)
                                    .def(2)));
    // Assumed 0.1 pJ/bit/mm over 2 mm of on-chip wire (~0.1 pJ/bit/mm for repeated wires in
    // 45 nm: Horowitz, "Computing's energy problem", ISSCC 2014) -> 1.6 pJ per byte.
    m_pj_per_byte = p.get<double>("energy_per_byte")
                        .desc("energy to move one byte")
                        .unit("pJ")
                        .range(0.0, 1e6)
                        .def(1.6);
    m_area_um2 = p.get<double>("area")
                     .desc("area of wires and arbiter")
                     .unit("um2")
                     .range(0.0, 1e12)
                     .def(0.0);
    m_leakage_mw =
        p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(0.0);
    m_broadcast = p.get<bool>("broadcast")
                      .desc(
                          "a layer's input reaches all its tiles in one transfer (else each "
                          "tile receives the rows it needs, one transfer each)")
                      .def(false);
  }

  Transfer transfer(Cycles now, uint64_t bytes, int, int) override {
    Cycles busy(ceil_div(bytes, uint64_t(m_width)));
    Cycles start = m_link.reserve(now, busy);
    *s_transfers += 1;
    *s_bytes += bytes;
    return {start, start + busy + m_latency, bytes};
  }
  std::vector<Transfer> fan_out(Cycles now, uint64_t bytes, int src,
                                const std::vector<int>& dsts) override {
    if (!m_broadcast) return Interconnect::fan_out(now, bytes, src, dsts);
    // Every tile on the bus listens: one transfer reaches them all.
    const Transfer t = transfer(now, bytes, src, dsts.empty() ? 0 : dsts[0]);
    return std::vector<Transfer>(dsts.size(), t);
  }
  bool multicasts() const override { return m_broadcast; }

  void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) override {
    m_stats = std::make_unique<StatGroup>(name, &parent);
    s_transfers = &m_stats->counter("transfers", "transfers", "transfers carried");
    s_bytes = &m_stats->counter("bytes", "B", "bytes carried");
    m_stats->formula("busy_cycles", "cycles", "cycles the bus carried data",
                     [this] { return double(m_link.busy().count()); });
    m_stats->formula("wait_cycles", "cycles", "cycles transfers waited for the bus (contention)",
                     [this] { return double(m_link.waited().count()); });
    std::string path = m_stats->full_name();
    ledger.bind(path, "interconnect", *s_bytes, m_pj_per_byte);
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "interconnect", m_area_um2);
  }
  double pj_per_action() const override { return m_pj_per_byte; }
  double peak_mw(double ghz) const override {
    return double(m_width) * ghz * m_pj_per_byte + m_leakage_mw;
  }
  std::vector<uint64_t> link_busy() const override { return {m_link.busy().count()}; }

 private:
  int64_t m_width;
  Cycles m_latency;
  double m_pj_per_byte, m_area_um2, m_leakage_mw;
  bool m_broadcast;
  Resource m_link;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_transfers = nullptr;
  Counter* s_bytes = nullptr;
};

/// A 2-D mesh of routers, `concentration` tiles per router, XY (dimension-ordered) routing.
/// A packet of ceil(bytes / flit) flits enters through its source's injection port, crosses
/// each router (router_latency cycles for the head flit) and each link on its route (one flit
/// per cycle, link_latency cycles), and leaves through its destination's ejection port:
/// virtual cut-through, so the flits follow the head one cycle apart and a link or port busy
/// with another packet holds the whole packet back. Tiles take routers in snake order (row 0
/// left to right, row 1 right to left, ...), so tiles numbered next to each other, which the
/// mapper fills with one layer's arrays, are one hop apart; the global buffer has its own ports
/// on one router.
class Mesh : public Interconnect {
 public:
  explicit Mesh(Params& p) : m_params(p) {
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
    m_router_latency = Cycles(uint64_t(p.get<int>("router_latency")
                                           .desc("cycles a head flit spends in each router")
                                           .unit("cycles")
                                           .range(0, 1000)
                                           .def(2)));
    m_link_latency = Cycles(uint64_t(p.get<int>("link_latency")
                                         .desc("cycles a flit spends on a link")
                                         .unit("cycles")
                                         .range(0, 1000)
                                         .def(1)));
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
  }

  void connect(int tiles) override {
    const int routers_needed = int(ceil_div(uint64_t(tiles), uint64_t(m_conc)));
    if (m_cols == 0) {
      m_cols = 1;
      while (m_cols * m_cols < routers_needed) ++m_cols;
    }
    if (m_rows == 0) m_rows = int(ceil_div(uint64_t(routers_needed), uint64_t(m_cols)));
    if (int64_t(m_cols) * m_rows * m_conc < tiles) {
      m_params.fail(m_params.has("rows") ? "rows" : "cols",
                    "a mesh of " + std::to_string(m_cols) + " x " + std::to_string(m_rows) +
                        " routers with " + std::to_string(m_conc) + " tile(s) each holds " +
                        std::to_string(int64_t(m_cols) * m_rows * m_conc) +
                        " tiles; the chip has " + std::to_string(tiles) + " (chip.tiles)");
    }
    if (m_buffer_x >= m_cols)
      m_params.fail("buffer_x", "outside the mesh's " + std::to_string(m_cols) + " columns");
    if (m_buffer_y >= m_rows)
      m_params.fail("buffer_y", "outside the mesh's " + std::to_string(m_rows) + " rows");
    m_tiles = tiles;
    const size_t R = size_t(m_cols) * size_t(m_rows);
    m_links.assign(R * 4, Resource());
    m_inject.assign(size_t(tiles) + 1, Resource());
    m_eject.assign(size_t(tiles) + 1, Resource());
  }

  /// The router (x, y) of an endpoint.
  std::pair<int, int> router_of(int endpoint) const {
    if (endpoint < 0) return {m_buffer_x, m_buffer_y};
    const int slot = endpoint / m_conc, y = slot / m_cols, i = slot % m_cols;
    return {y % 2 == 0 ? i : m_cols - 1 - i, y};
  }
  size_t port_of(int endpoint) const { return endpoint < 0 ? size_t(m_tiles) : size_t(endpoint); }

  /// Links of the XY route from @p a to @p b, as indices (router * 4 + direction).
  std::vector<size_t> route(std::pair<int, int> a, std::pair<int, int> b) const {
    std::vector<size_t> r;
    int x = a.first, y = a.second;
    while (x != b.first) {
      const int dir = b.first > x ? 0 : 1;  // east, west
      r.push_back(size_t(y * m_cols + x) * 4 + size_t(dir));
      x += b.first > x ? 1 : -1;
    }
    while (y != b.second) {
      const int dir = b.second > y ? 2 : 3;  // south, north
      r.push_back(size_t(y * m_cols + x) * 4 + size_t(dir));
      y += b.second > y ? 1 : -1;
    }
    return r;
  }

  Transfer transfer(Cycles now, uint64_t bytes, int src, int dst) override {
    return send(now, bytes, src, {dst}).front();
  }
  std::vector<Transfer> fan_out(Cycles now, uint64_t bytes, int src,
                                const std::vector<int>& dsts) override {
    if (!m_multicast) return Interconnect::fan_out(now, bytes, src, dsts);
    return send(now, bytes, src, dsts);
  }
  bool multicasts() const override { return m_multicast; }

  /// One packet from @p src to each of @p dsts; links the routes share carry it once. Its
  /// energy actions: flits times routers crossed (1 + links; each router's energy lumped with
  /// the link or ejection port after it), on the first destination's Transfer.
  std::vector<Transfer> send(Cycles now, uint64_t bytes, int src, const std::vector<int>& dsts) {
    if (bytes == 0 || dsts.empty()) return std::vector<Transfer>(dsts.size(), {now, now, 0});
    const uint64_t flits = std::max<uint64_t>(1, ceil_div(bytes, uint64_t(m_flit)));
    const Cycles f(flits);
    const Cycles start = m_inject[port_of(src)].reserve(now, f);
    std::map<size_t, Cycles> crossed;  // link -> when the packet's head entered it
    std::vector<Transfer> out;
    for (int dst : dsts) {
      Cycles head = start + m_router_latency;  // through the source router
      for (size_t link : route(router_of(src), router_of(dst))) {
        auto it = crossed.find(link);
        if (it == crossed.end()) it = crossed.emplace(link, m_links[link].reserve(head, f)).first;
        head = it->second + m_link_latency + m_router_latency;
      }
      const Cycles done = m_eject[port_of(dst)].reserve(head, f) + f;
      *s_latency += double((done - now).count());
      out.push_back({start, done, 0});
    }
    out.front().actions = flits * (1 + crossed.size());
    *s_packets += 1;
    *s_flits += flits;
    *s_bytes += bytes;
    *s_flit_hops += out.front().actions;
    return out;
  }

  void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) override {
    m_stats = std::make_unique<StatGroup>(name, &parent);
    s_packets = &m_stats->counter("packets", "packets", "packets sent (a multicast is one)");
    s_flits = &m_stats->counter("flits", "flits", "flits injected");
    s_bytes = &m_stats->counter("bytes", "B", "bytes injected");
    s_flit_hops =
        &m_stats->counter("flit_hops", "flit-hops",
                          "flits times routers crossed (each with the link or port after it)");
    s_latency =
        &m_stats->accumulator("packet_latency", "cycles",
                              "sum over packets and destinations of injection to last flit out");
    m_stats->formula("routers", "routers", "routers in the mesh",
                     [this] { return double(m_cols * m_rows); });
    m_stats->formula("wait_cycles", "cycles", "cycles packets waited for links and ports", [this] {
      double w = 0;
      for (const auto* v : {&m_links, &m_inject, &m_eject})
        for (const Resource& r : *v) w += double(r.waited().count());
      return w;
    });
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
    std::string path = m_stats->full_name();
    ledger.bind(path, "interconnect", *s_flit_hops, m_router_pj + m_link_pj);
    ledger.leakage(path, m_router_leak * double(m_cols * m_rows));
    ledger.area(path, "interconnect", m_router_area * double(m_cols * m_rows));
  }
  double pj_per_action() const override { return m_router_pj + m_link_pj; }
  double peak_mw(double ghz) const override {
    // Each router forwards one flit per cycle on each output: four mesh links and one ejection
    // port per tile attached; every forwarded flit counts as a router crossing and a link.
    const double per_router = double(4 + m_conc) * ghz * (m_router_pj + m_link_pj);
    return double(m_cols) * double(m_rows) * (per_router + m_router_leak);
  }
  std::vector<uint64_t> link_busy() const override {
    // Links to a neighbour only: a router on the mesh's edge has no link out of it.
    std::vector<uint64_t> b;
    for (int y = 0; y < m_rows; ++y) {
      for (int x = 0; x < m_cols; ++x) {
        const size_t r = size_t(y * m_cols + x) * 4;
        const bool has[4] = {x + 1 < m_cols, x > 0, y + 1 < m_rows, y > 0};  // E, W, S, N
        for (size_t d = 0; d < 4; ++d)
          if (has[d]) b.push_back(m_links[r + d].busy().count());
      }
    }
    return b;
  }

 private:
  Params m_params;
  int m_cols, m_rows, m_conc, m_buffer_x, m_buffer_y, m_tiles = 0;
  int64_t m_flit;
  Cycles m_router_latency, m_link_latency;
  bool m_multicast;
  double m_link_pj, m_router_pj, m_router_area, m_router_leak;
  std::vector<Resource> m_links, m_inject, m_eject;
  std::unique_ptr<StatGroup> m_stats;
  Counter *s_packets = nullptr, *s_flits = nullptr, *s_bytes = nullptr, *s_flit_hops = nullptr;
  Accumulator* s_latency = nullptr;
};

/// SRAM with `ports` independent ports of `width` bytes per cycle each; an access takes the
/// port that frees first.
class Sram : public Buffer {
 public:
  explicit Sram(Params& p) {
    m_size =
        p.get<int64_t>("size").desc("capacity").unit("B").range(1, int64_t(1) << 40).def(64 * 1024);
    m_width = p.get<int64_t>("width")
                  .desc("bytes per cycle per port")
                  .unit("B")
                  .range(1, 1 << 20)
                  .def(32);
    m_ports.resize(size_t(
        p.get<int>("ports").desc("independent access ports").unit("ports").range(1, 64).def(1)));
    m_latency = Cycles(uint64_t(
        p.get<int>("latency").desc("access latency").unit("cycles").range(0, 1000000).def(1)));
    // 8 KiB SRAM, 64-bit access: 10 pJ (Horowitz, ISSCC 2014, 45 nm) -> 1.25 pJ per byte; a
    // 64 KiB array costs more per access: we take 2x, 2.5 pJ/B (assumed scaling).
    m_read_pj = p.get<double>("read_energy")
                    .desc("energy per byte read")
                    .unit("pJ")
                    .range(0.0, 1e6)
                    .def(2.5);
    m_write_pj = p.get<double>("write_energy")
                     .desc("energy per byte written")
                     .unit("pJ")
                     .range(0.0, 1e6)
                     .def(2.5);
    // Assumed: 50 nW per KiB of SRAM leakage at 14 nm (order of magnitude of published
    // high-density 6T cells; no single source), i.e. 3.2 uW for 64 KiB.
    m_leakage_mw = p.get<double>("leakage")
                       .desc("static power")
                       .unit("mW")
                       .range(0.0, 1e6)
                       .def(5e-5 * double(m_size) / 1024.0);
    // ISAAC: 64 KB eDRAM = 0.083 mm2 at 32 nm (Shafiee et al., ISCA 2016, tile table).
    m_area_um2 = p.get<double>("area").desc("area").unit("um2").range(0.0, 1e12).def(
        83000.0 * double(m_size) / 65536.0);
  }

  Slot access(Cycles now, uint64_t bytes, bool write) override {
    auto port = std::min_element(
        m_ports.begin(), m_ports.end(),
        [](const Resource& a, const Resource& b) { return a.next_free() < b.next_free(); });
    Cycles busy(ceil_div(bytes, uint64_t(m_width)));
    Cycles start = port->reserve(now, busy);
    *(write ? s_write_bytes : s_read_bytes) += bytes;
    *(write ? s_writes : s_reads) += 1;
    return {start, start + busy + m_latency};
  }
  uint64_t size_bytes() const override { return uint64_t(m_size); }
  double read_pj_per_byte() const override { return m_read_pj; }
  double write_pj_per_byte() const override { return m_write_pj; }
  double peak_mw(double ghz) const override {
    return double(m_ports.size()) * double(m_width) * ghz * std::max(m_read_pj, m_write_pj) +
           m_leakage_mw;
  }
  std::vector<uint64_t> port_busy() const override {
    std::vector<uint64_t> b;
    for (const Resource& r : m_ports) b.push_back(r.busy().count());
    return b;
  }

  void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) override {
    m_stats = std::make_unique<StatGroup>(name, &parent);
    s_reads = &m_stats->counter("reads", "accesses", "read accesses");
    s_writes = &m_stats->counter("writes", "accesses", "write accesses");
    s_read_bytes = &m_stats->counter("read_bytes", "B", "bytes read");
    s_write_bytes = &m_stats->counter("write_bytes", "B", "bytes written");
    m_stats->formula("wait_cycles", "cycles", "cycles accesses waited for a port", [this] {
      double w = 0;
      for (const auto& r : m_ports) w += double(r.waited().count());
      return w;
    });
    std::string path = m_stats->full_name();
    ledger.bind(path, "buffer", *s_read_bytes, m_read_pj);
    ledger.bind(path, "buffer", *s_write_bytes, m_write_pj);
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "buffer", m_area_um2);
  }

 private:
  int64_t m_size, m_width;
  std::vector<Resource> m_ports;
  Cycles m_latency;
  double m_read_pj, m_write_pj, m_leakage_mw, m_area_um2;
  std::unique_ptr<StatGroup> m_stats;
  Counter *s_reads = nullptr, *s_writes = nullptr, *s_read_bytes = nullptr,
          *s_write_bytes = nullptr;
};

/// SIMD vector unit: `lanes` element operations per cycle, pipeline latency on top.
class SimdUnit : public DigitalUnit {
 public:
  explicit SimdUnit(Params& p) {
    m_lanes = p.get<int>("lanes")
                  .desc("element operations per cycle")
                  .unit("ops")
                  .range(1, 1 << 20)
                  .def(16);
    m_latency = Cycles(uint64_t(
        p.get<int>("latency").desc("pipeline latency").unit("cycles").range(0, 1000000).def(2)));
    m_precision = p.get<std::string>("precision")
                      .desc("datapath precision: the row of chip.tech its operations cost")
                      .choices(TechTable::precisions())
                      .def("int32");
    m_one_pj = p.get<double>("energy_per_op")
                   .desc(
                       "one energy for every kind of operation, in place of chip.tech's (0: "
                       "chip.tech at `precision`)")
                   .unit("pJ")
                   .range(0.0, 1e6)
                   .def(0.0);
    // Assumed: 150 um2 per 32-bit lane (adder, comparator, register) at 14 nm.
    m_area_um2 =
        p.get<double>("area").desc("area").unit("um2").range(0.0, 1e12).def(150.0 * m_lanes);
    m_leakage_mw =
        p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(0.0);
  }

  void use_tech(const TechTable& tech) override {
    m_pj = tech.at(m_precision);
    if (m_one_pj > 0) m_pj.fill(m_one_pj);
  }
  Slot execute(Cycles now, const OpCounts& ops) override {
    const uint64_t n = ops.total();
    Cycles busy(ceil_div(n, uint64_t(m_lanes)));
    Cycles start = m_pipe.reserve(now, busy);
    *s_ops += n;
    for (size_t k = 0; k < kOpKinds; ++k) *s_kind[k] += ops.n[k];
    return {start, start + busy + m_latency};
  }
  const OpEnergies& energies() const override { return m_pj; }
  double peak_mw(double ghz) const override {
    return double(m_lanes) * ghz * m_pj[size_t(OpKind::Add)] + m_leakage_mw;
  }
  uint64_t busy_cycles() const override { return m_pipe.busy().count(); }

  void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) override {
    m_stats = std::make_unique<StatGroup>(name, &parent);
    s_ops = &m_stats->counter("ops", "ops", "element operations of every kind");
    std::string path = m_stats->full_name();
    for (OpKind k : kAllOpKinds) {
      const std::string kind = op_kind_name(k);
      s_kind[size_t(k)] =
          &m_stats->counter("ops_" + kind, "ops", kind + " operations (" + m_precision + ")");
      ledger.bind(path, "digital", *s_kind[size_t(k)], m_pj[size_t(k)]);
    }
    m_stats->formula("busy_cycles", "cycles", "cycles the unit was busy",
                     [this] { return double(m_pipe.busy().count()); });
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "digital", m_area_um2);
  }

 private:
  int m_lanes;
  Cycles m_latency;
  std::string m_precision;
  double m_one_pj, m_area_um2, m_leakage_mw;
  OpEnergies m_pj{};
  Resource m_pipe;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_ops = nullptr;
  std::array<Counter*, kOpKinds> s_kind{};
};

}  // namespace

PCMSIM_REGISTER(Interconnect, Bus, "bus", "shared bus: one transfer at a time, width bytes/cycle");
PCMSIM_REGISTER(Interconnect, Mesh, "mesh",
                "2-D mesh NoC: XY routing, flits, per-link contention, concentration, multicast");
PCMSIM_REGISTER(Buffer, Sram, "sram", "SRAM buffer with ports that serialize accesses");
PCMSIM_REGISTER(DigitalUnit, SimdUnit, "simd", "SIMD vector unit for accumulation and activation");

}  // namespace pcmsim
