// A register file: read and written in the cycle of the access (no port to contend for), by
// default sized at load for the steps that use it (each step's window of input rows and one row
// more, so the next row can land while the window is in use).

#include "sim/arch/memory/buffer.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

class Registers : public Buffer {
 public:
  explicit Registers(Params& p) {
    m_size = read_buffer_size(p, "auto",
                              "capacity in B; auto: each step's window of input rows plus one "
                              "row; unlimited: no limit");
    m_pj = p.get<double>("energy")
               .desc("energy per byte written or read (0: charged to the cores' input registers)")
               .unit("pJ")
               .range(0.0, 1e6)
               .def(0.0);
    m_area_um2 = p.get<double>("area").desc("area").unit("um2").range(0.0, 1e12).def(0.0);
    m_leakage_mw =
        p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(0.0);
  }
  uint64_t capacity() const override { return m_size; }
  void set_capacity(uint64_t bytes) override {
    if (m_size == 0) m_size = bytes;
  }
  bool automatic() const override { return m_auto; }
  void access(uint64_t bytes, bool write, uint64_t, int tag, sc_core::sc_event&) override {
    (write ? s_write_bytes : s_read_bytes)->add(bytes, tag);
  }
  Cycles write(uint64_t bytes, uint64_t, int tag, sc_core::sc_event&) override {
    s_write_bytes->add(bytes, tag);
    return m_tb->now();
  }
  void attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger) override {
    m_tb = &tb;
    m_auto = m_size == 0;
    m_stats = std::make_unique<StatGroup>(basename(), &parent);
    s_read_bytes = &m_stats->counter("read_bytes", "B", "bytes read");
    s_write_bytes = &m_stats->counter("write_bytes", "B", "bytes written");
    const std::string path = m_stats->full_name();
    ledger.bind(path, "buffer", *s_read_bytes, m_pj);
    ledger.bind(path, "buffer", *s_write_bytes, m_pj);
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "buffer", m_area_um2);
  }
  double peak_mw(double) const override { return m_leakage_mw; }
  std::vector<uint64_t> port_busy() const override { return {}; }

 private:
  uint64_t m_size;
  bool m_auto = false;
  TimeBase* m_tb = nullptr;
  double m_pj, m_area_um2, m_leakage_mw;
  Counter *s_read_bytes = nullptr, *s_write_bytes = nullptr;
};

}  // namespace

PCMSIM_REGISTER(
    Buffer, Registers, "registers",
    "register file: accessed in the cycle of the access, sized for its steps by default");

}  // namespace pcmsim
