// SIMD vector unit: `lanes` element operations of any kind per cycle, a pipeline `latency` on
// top, jobs served one at a time.

#include <memory>

#include "sim/arch/common/arbiter.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/arch/digital/digital_unit.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

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
    m_policy = read_policy(p, "waiting jobs get the unit", Policy::OldestFirst);
    // Assumed: 150 um2 per 32-bit lane (adder, comparator, register) at 14 nm.
    m_area_um2 =
        p.get<double>("area").desc("area").unit("um2").range(0.0, 1e12).def(150.0 * m_lanes);
    m_leakage_mw =
        p.get<double>("leakage").desc("static power").unit("mW").range(0.0, 1e6).def(0.0);
  }

  void attach(TimeBase& tb, const TechTable& tech, StatGroup& parent,
              EnergyLedger& ledger) override {
    m_pj = tech.at(m_precision);
    if (m_one_pj > 0) m_pj.fill(m_one_pj);
    within(*this, [&] { m_pipe = std::make_unique<Arbiter>("pipeline", tb, 1, m_policy); });
    m_stats = std::make_unique<StatGroup>(basename(), &parent);
    s_ops = &m_stats->counter("ops", "ops", "element operations of every kind");
    s_jobs = &m_stats->counter("jobs", "jobs", "jobs run");
    const std::string path = m_stats->full_name();
    for (OpKind k : kAllOpKinds) {
      const std::string kind = op_kind_name(k);
      s_kind[size_t(k)] =
          &m_stats->counter("ops_" + kind, "ops", kind + " operations (" + m_precision + ")");
      ledger.bind(path, "digital", *s_kind[size_t(k)], m_pj[size_t(k)]);
    }
    s_busy = &m_stats->counter("busy_cycles", "cycles", "cycles the unit was busy");
    m_stats->formula("wait_cycles", "cycles", "cycles jobs waited for the unit",
                     [this] { return double(m_pipe->core().waited()); });
    ledger.leakage(path, m_leakage_mw);
    ledger.area(path, "digital", m_area_um2);
  }
  uint64_t execute(const OpCounts& ops, uint64_t requester, int tag,
                   sc_core::sc_event& wake) override {
    const uint64_t n = ops.total();
    if (n == 0) return 0;
    const Ticket t =
        m_pipe->serve(requester, Cycles(ceil_div(n, uint64_t(m_lanes))), m_latency, tag, wake);
    s_ops->add(n, tag);
    s_jobs->add(1, tag);
    s_busy->add(t.busy.count(), tag);
    for (size_t k = 0; k < kOpKinds; ++k) s_kind[k]->add(ops.n[k], tag);
    return (t.start - t.posted).count();
  }
  const OpEnergies& energies() const override { return m_pj; }
  double peak_mw(double ghz) const override {
    return double(m_lanes) * ghz * m_pj[size_t(OpKind::Add)] + m_leakage_mw;
  }
  uint64_t busy_cycles() const override { return s_busy ? s_busy->count() : 0; }
  const Counter& busy_counter() const override { return *s_busy; }

 private:
  int m_lanes;
  Cycles m_latency;
  std::string m_precision;
  double m_one_pj, m_area_um2, m_leakage_mw;
  Policy m_policy;
  OpEnergies m_pj{};
  std::unique_ptr<Arbiter> m_pipe;
  Counter *s_ops = nullptr, *s_jobs = nullptr, *s_busy = nullptr;
  std::array<Counter*, kOpKinds> s_kind{};
};

}  // namespace

PCMSIM_REGISTER(DigitalUnit, SimdUnit, "simd", "SIMD vector unit for accumulation and activation");

}  // namespace pcmsim
