#include "sim/arch/common/wire.h"

namespace pcmsim {

void Wire::bind(EnergyLedger& ledger, const std::string& path, const Counter& bytes,
                const std::string& cls) const {
  ledger.bind(path, cls, bytes, pj_per_byte);
  ledger.leakage(path, leakage_mw);
  ledger.area(path, cls, area_um2);
}

Wire read_wire(Params& p, const Wire& defaults, const std::string& what) {
  Wire w;
  w.width = p.get<int64_t>("width")
                .desc("bytes moved per cycle")
                .unit("B")
                .range(1, 1 << 20)
                .def(defaults.width);
  w.latency = Cycles(uint64_t(p.get<int>("latency")
                                  .desc("cycles from last byte sent to arrival")
                                  .unit("cycles")
                                  .range(0, 1000000)
                                  .def(int(defaults.latency.count()))));
  w.pj_per_byte = p.get<double>("energy_per_byte")
                      .desc("energy to move one byte")
                      .unit("pJ")
                      .range(0.0, 1e6)
                      .def(defaults.pj_per_byte);
  w.area_um2 = p.get<double>("area")
                   .desc("area of " + what)
                   .unit("um2")
                   .range(0.0, 1e12)
                   .def(defaults.area_um2);
  w.leakage_mw = p.get<double>("leakage")
                     .desc("static power")
                     .unit("mW")
                     .range(0.0, 1e6)
                     .def(defaults.leakage_mw);
  return w;
}

}  // namespace pcmsim
