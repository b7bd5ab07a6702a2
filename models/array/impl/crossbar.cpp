// The PCM crossbar array: geometry, read timing and energy, area.

#include "models/array/array.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// A passive PCM crossbar: one device pair per weight, inputs on rows, outputs on columns.
class PcmCrossbar : public ArrayModel {
 public:
  explicit PcmCrossbar(Params& p) {
    // HERMES core: 256x256 unit cells (Khaddam-Aljameh et al., JSSC 2022).
    m_rows = p.get<int>("rows")
                 .desc("word lines (inputs) per array")
                 .unit("rows")
                 .range(1, 65536)
                 .def(256);
    m_cols = p.get<int>("cols")
                 .desc("bit lines (outputs) per array")
                 .unit("cols")
                 .range(1, 65536)
                 .def(256);
    // Assumed: 100 ns integration, as ISAAC's crossbar read cycle (Shafiee et al., ISCA 2016).
    m_t_int_ns = p.get<double>("t_int")
                     .desc("integration time of one MVM")
                     .unit("ns")
                     .range(1e-3, 1e9)
                     .def(100.0);
    // Assumed: 0.2 V read voltage, a typical PCM read bias well below the threshold switching
    // voltage (Le Gallo & Sebastian, J. Phys. D 2020, "An overview of phase-change memory").
    m_v_read = p.get<double>("v_read")
                   .desc("read voltage at full-scale input")
                   .unit("V")
                   .range(0.0, 10.0)
                   .def(0.2);
    // Assumed: 0.05 um2 per device pair (a 2T2R-style cell in 14 nm; no published per-cell
    // figure for HERMES); ISAAC reports 0.0002 mm2 for 8 arrays of 128x128 (0.0015 um2/cell).
    double cell = p.get<double>("cell_area")
                      .desc("area of one weight cell (device pair)")
                      .unit("um2")
                      .range(0.0, 1e6)
                      .def(0.05);
    m_area_um2 = cell * m_rows * m_cols;
    // 0 = no IR drop. Of order 1 ohm per cell segment for nanoscale copper bit lines (a range
    // used in crossbar IR-drop studies, e.g. Chen et al., DATE 2015); an assumption, not a fit.
    m_r_wire_ohm =
        p.get<double>("r_wire")
            .desc("bit-line wire resistance per cell segment (first-order IR drop; 0 = off)")
            .unit("Ohm")
            .range(0.0, 1e6)
            .def(0.0);
    m_leakage_mw = p.get<double>("leakage")
                       .desc("static power of one array")
                       .unit("mW")
                       .range(0.0, 1e6)
                       .def(0.0);
  }
};

}  // namespace

PCMSIM_REGISTER(ArrayModel, PcmCrossbar, "crossbar",
                "PCM crossbar, differential device pair per weight, value-dependent read energy");

}  // namespace pcmsim
