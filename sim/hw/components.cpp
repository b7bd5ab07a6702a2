#include "sim/hw/components.h"

#include <algorithm>

#include "sim/framework/registry.h"

namespace pcmsim {
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
  }

  Slot transfer(Cycles now, uint64_t bytes) override {
    Cycles busy(ceil_div(bytes, uint64_t(m_width)));
    Cycles start = m_link.reserve(now, busy);
    *s_transfers += 1;
    *s_bytes += bytes;
    return {start, start + busy + m_latency};
  }

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
  double pj_per_byte() const override { return m_pj_per_byte; }

 private:
  int64_t m_width;
  Cycles m_latency;
  double m_pj_per_byte, m_area_um2, m_leakage_mw;
  Resource m_link;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_transfers = nullptr;
  Counter* s_bytes = nullptr;
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
    // 32-bit integer add: 0.1 pJ (Horowitz, ISSCC 2014, 45 nm).
    m_pj = p.get<double>("energy_per_op")
               .desc("energy of one element operation")
               .unit("pJ")
               .range(0.0, 1e6)
               .def(0.1);
    // Assumed: 150 um2 per 32-bit lane (adder, comparator, register) at 14 nm.
    m_area_um2 =
        p.get<double>("area").desc("area").unit("um2").range(0.0, 1e12).def(150.0 * m_lanes);
    m_leakage_mw =
        p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(0.0);
  }

  Slot execute(Cycles now, uint64_t ops) override {
    Cycles busy(ceil_div(ops, uint64_t(m_lanes)));
    Cycles start = m_pipe.reserve(now, busy);
    *s_ops += ops;
    return {start, start + busy + m_latency};
  }
  double pj_per_op() const override { return m_pj; }

  void attach(StatGroup& parent, const std::string& name, EnergyLedger& ledger) override {
    m_stats = std::make_unique<StatGroup>(name, &parent);
    s_ops = &m_stats->counter("ops", "ops", "element operations (adds, bias, activation)");
    m_stats->formula("busy_cycles", "cycles", "cycles the unit was busy",
                     [this] { return double(m_pipe.busy().count()); });
    std::string path = m_stats->full_name();
    ledger.bind(path, "digital", *s_ops, m_pj);
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "digital", m_area_um2);
  }

 private:
  int m_lanes;
  Cycles m_latency;
  double m_pj, m_area_um2, m_leakage_mw;
  Resource m_pipe;
  std::unique_ptr<StatGroup> m_stats;
  Counter* s_ops = nullptr;
};

}  // namespace

PCMSIM_REGISTER(Interconnect, Bus, "bus", "shared bus: one transfer at a time, width bytes/cycle");
PCMSIM_REGISTER(Buffer, Sram, "sram", "SRAM buffer with ports that serialize accesses");
PCMSIM_REGISTER(DigitalUnit, SimdUnit, "simd", "SIMD vector unit for accumulation and activation");

}  // namespace pcmsim
