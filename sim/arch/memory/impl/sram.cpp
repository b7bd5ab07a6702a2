// SRAM buffer: `ports` independent ports of `width` bytes per cycle each, arbitrated cycle by
// cycle; an access takes a free port for ceil(bytes / width) cycles, its data out `latency`
// cycles later.

#include <memory>

#include "sim/arch/common/arbiter.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/arch/memory/buffer.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

class Sram : public Buffer {
 public:
  explicit Sram(Params& p) {
    m_size = read_buffer_size(p, "64KiB", "capacity in B (or unlimited)");
    if (m_size == 0) p.fail("size", "an SRAM has a fixed size (auto sizes only registers)");
    m_width = p.get<int64_t>("width")
                  .desc("bytes per cycle per port")
                  .unit("B")
                  .range(1, 1 << 20)
                  .def(32);
    m_ports =
        p.get<int>("ports").desc("independent access ports").unit("ports").range(1, 64).def(1);
    m_latency = Cycles(uint64_t(
        p.get<int>("latency").desc("access latency").unit("cycles").range(0, 1000000).def(1)));
    m_policy = read_policy(p, "waiting accesses get a port", Policy::OldestFirst);
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
    const double kib = m_size == kUnlimited ? 0.0 : double(m_size) / 1024.0;
    // Assumed: 50 nW per KiB of SRAM leakage at 14 nm (order of magnitude of published
    // high-density 6T cells; no single source), i.e. 3.2 uW for 64 KiB.
    m_leakage_mw =
        p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(5e-5 * kib);
    // ISAAC: 64 KB eDRAM = 0.083 mm2 at 32 nm (Shafiee et al., ISCA 2016, tile table).
    m_area_um2 =
        p.get<double>("area").desc("area").unit("um2").range(0.0, 1e12).def(83000.0 * kib / 64.0);
  }

  uint64_t capacity() const override { return m_size; }
  void set_capacity(uint64_t) override {}
  bool automatic() const override { return false; }
  void access(uint64_t bytes, bool write, uint64_t requester, int tag,
              sc_core::sc_event& wake) override {
    if (bytes == 0) return;
    m_arb->serve(requester, Cycles(ceil_div(bytes, uint64_t(m_width))), m_latency, tag, wake);
    (write ? s_write_bytes : s_read_bytes)->add(bytes, tag);
    (write ? s_writes : s_reads)->add(1, tag);
  }
  Cycles write(uint64_t bytes, uint64_t requester, int tag, sc_core::sc_event& wake) override {
    const Ticket t =
        m_arb->serve(requester, Cycles(ceil_div(std::max<uint64_t>(1, bytes), uint64_t(m_width))),
                     Cycles(0), tag, wake);
    s_write_bytes->add(bytes, tag);
    s_writes->add(1, tag);
    return t.done + m_latency;
  }
  void attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger) override {
    m_tb = &tb;
    within(*this, [&] { m_arb = std::make_unique<Arbiter>("ports", tb, m_ports, m_policy); });
    m_stats = std::make_unique<StatGroup>(basename(), &parent);
    s_reads = &m_stats->counter("reads", "accesses", "read accesses");
    s_writes = &m_stats->counter("writes", "accesses", "write accesses");
    s_read_bytes = &m_stats->counter("read_bytes", "B", "bytes read");
    s_write_bytes = &m_stats->counter("write_bytes", "B", "bytes written");
    m_stats->formula("wait_cycles", "cycles", "cycles accesses waited for a port",
                     [this] { return double(m_arb->core().waited()); });
    m_stats->formula("busy_cycles", "cycles", "cycles its ports moved data, summed over ports",
                     [this] {
                       uint64_t b = 0;
                       for (uint64_t x : port_busy()) b += x;
                       return double(b);
                     });
    const std::string path = m_stats->full_name();
    ledger.bind(path, "buffer", *s_read_bytes, m_read_pj);
    ledger.bind(path, "buffer", *s_write_bytes, m_write_pj);
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "buffer", m_area_um2);
  }
  double peak_mw(double ghz) const override {
    return double(m_ports) * double(m_width) * ghz * std::max(m_read_pj, m_write_pj) + m_leakage_mw;
  }
  std::vector<uint64_t> port_busy() const override { return m_arb->core().busy(); }

 private:
  uint64_t m_size;
  int64_t m_width;
  int m_ports;
  Cycles m_latency;
  Policy m_policy;
  double m_read_pj, m_write_pj, m_leakage_mw, m_area_um2;
  std::unique_ptr<Arbiter> m_arb;
  TimeBase* m_tb = nullptr;
  Counter *s_reads = nullptr, *s_writes = nullptr, *s_read_bytes = nullptr,
          *s_write_bytes = nullptr;
};

}  // namespace

PCMSIM_REGISTER(Buffer, Sram, "sram",
                "SRAM buffer: ports arbitrated cycle by cycle, width B/cycle");

}  // namespace pcmsim
