#include "models/circuits/crossbar.h"

#include <algorithm>
#include <cmath>

#include "sim/framework/registry.h"

namespace pcmsim {

ProgrammedArray::ProgrammedArray(const float* w, int rows, int cols, const DeviceModel& device,
                                 const RngStream& rng, bool ideal)
    : m_rows(rows),
      m_cols(cols),
      m_gdiff(size_t(rows) * cols),
      m_gsum(rows),
      m_xq(rows),
      m_acc(cols) {
  size_t n = size_t(rows) * cols;
  float w_max = 0.0f;
  for (size_t i = 0; i < n; ++i) w_max = std::max(w_max, std::fabs(w[i]));
  m_w_max = w_max;
  if (ideal || w_max == 0.0f) {
    // Exact mapping: conductance ratios equal weight ratios.
    for (size_t i = 0; i < n; ++i) m_gdiff[i] = w_max > 0 ? w[i] / w_max : 0.0f;
    double g_max = device.g_max_uS();
    for (int r = 0; r < rows; ++r) {
      double s = 0;
      for (int c = 0; c < cols; ++c) s += std::fabs(m_gdiff[size_t(r) * cols + c]) * g_max;
      m_gsum[r] = static_cast<float>(s);
    }
    return;
  }
  const double g_max = device.g_max_uS();
  const double scale = g_max / w_max;
  // Targets for G+ (first n) and G- (next n); the draw index identifies the device.
  std::vector<float> target(2 * n), g(2 * n);
  for (size_t i = 0; i < n; ++i) {
    target[i] = static_cast<float>(std::clamp(w[i] * scale, 0.0, g_max));
    target[n + i] = static_cast<float>(std::clamp(-w[i] * scale, 0.0, g_max));
  }
  device.program(target.data(), g.data(), 2 * n, rng);
  for (int r = 0; r < rows; ++r) {
    double s = 0;
    for (int c = 0; c < cols; ++c) {
      size_t i = size_t(r) * cols + c;
      m_gdiff[i] = static_cast<float>((g[i] - g[n + i]) / g_max);
      s += g[i] + g[n + i];
    }
    m_gsum[r] = static_cast<float>(s);
  }
}

double ProgrammedArray::mvm(const float* x, float* y, const MvmNumerics& num) const {
  // 1. Noise management: scale the input vector by its absolute maximum.
  float amax = 0.0f;
  for (int r = 0; r < m_rows; ++r) amax = std::max(amax, std::fabs(x[r]));
  if (amax == 0.0f) {
    std::fill(y, y + m_cols, 0.0f);
    return 0.0;
  }
  // 2. DAC: the applied inputs; the read energy follows them.
  double x2g = 0.0;
  for (int r = 0; r < m_rows; ++r) {
    float xn = x[r] / amax;
    m_xq[r] = num.ideal ? xn : num.dac->convert(xn);
    x2g += double(m_xq[r]) * m_xq[r] * m_gsum[r];
  }
  // 3. Array: column currents in normalized units, accumulated in double precision per column
  //    (inner loop over columns, contiguous in memory).
  std::vector<double>& acc = m_acc;
  std::fill(acc.begin(), acc.end(), 0.0);
  for (int r = 0; r < m_rows; ++r) {
    float xr = m_xq[r];
    if (xr == 0.0f) continue;
    const float* g = &m_gdiff[size_t(r) * m_cols];
    for (int c = 0; c < m_cols; ++c) acc[c] += double(xr) * g[c];
  }
  // 4. ADC, then 5. rescale to weight units.
  const float out_scale = amax * m_w_max;
  for (int c = 0; c < m_cols; ++c) {
    float v = static_cast<float>(acc[c]);
    y[c] = (num.ideal ? v : num.adc->convert(v)) * out_scale;
  }
  return x2g;
}

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
