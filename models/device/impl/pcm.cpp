// PCM devices: programming noise, drift, 1/f read noise and stuck-at faults.

#include <algorithm>
#include <cmath>

#include "models/device/device.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// PCM as fitted by Nandakumar et al. (ICECS 2019) on ~1M IBM PCM devices and used by aihwkit's
/// PCMLikeNoiseModel (Joshi et al., Nat. Commun. 2020). With g_rel = g_T / g_max:
///  programming: sigma_prog = (0.26348 + 1.9650 g_rel - 1.1731 g_rel^2) * g_max/25 uS,
///               g_prog = max(0, g_T + sigma_prog N(0,1));
///  drift:       mu_nu = clamp(-0.0155 ln g_rel + 0.0244, 0.049, 0.1),
///               sigma_nu = clamp(-0.0125 ln g_rel - 0.0059, 0.008, 0.045),
///               nu = |mu_nu + sigma_nu N(0,1)| drawn once at programming,
///               g(t) = g_prog ((t + t0) / t0)^(-nu);
///  read noise:  Q_s = min(0.0088 / max((g_prog/g_max)^0.65, 1e-3), 0.2),
///               sigma = Q_s sqrt(ln((t + t0 + t_read) / (2 t_read))),
///               g = max(0, g(t) + |g(t)| sigma N(0,1)), drawn anew at each read.
class PcmDevice : public DeviceModel {
 public:
  explicit PcmDevice(Params& p)
      : m_g_max_uS(read_g_max(p)),
        m_prog_scale(p.get<double>("prog_noise_scale")
                         .desc("multiplier on the programming-noise standard deviation")
                         .range(0.0, 100.0)
                         .def(1.0)),
        m_drift_scale(p.get<double>("drift_scale")
                          .desc("multiplier on the drift exponent nu")
                          .range(0.0, 100.0)
                          .def(1.0)),
        m_read_scale(p.get<double>("read_noise_scale")
                         .desc("multiplier on the read-noise standard deviation")
                         .range(0.0, 100.0)
                         .def(1.0)),
        // t0 = 20 s and t_read = 250 ns: aihwkit PCMLikeNoiseModel defaults (Joshi et al. 2020).
        m_t0_s(p.get<double>("t0")
                   .desc("time after programming at which drift starts (reference read)")
                   .unit("s")
                   .range(1e-9, 1e9)
                   .def(20.0)),
        m_t_read_s(p.get<double>("t_read")
                       .desc("duration of one read, for the 1/f read-noise integral")
                       .unit("s")
                       .range(1e-15, 1.0)
                       .def(250e-9)),
        m_stuck_set(p.get<double>("stuck_set_rate")
                        .desc("fraction of devices stuck at SET (g_max, no drift)")
                        .range(0.0, 1.0)
                        .def(0.0)),
        m_stuck_reset(p.get<double>("stuck_reset_rate")
                          .desc("fraction of devices stuck at RESET (zero conductance)")
                          .range(0.0, 1.0)
                          .def(0.0)) {
    if (m_stuck_set + m_stuck_reset > 1.0) {
      p.fail("stuck_reset_rate", "stuck_set_rate + stuck_reset_rate exceeds 1");
    }
  }

  double g_max_uS() const override { return m_g_max_uS; }
  bool exact() const override {
    return m_prog_scale == 0.0 && m_drift_scale == 0.0 && m_read_scale == 0.0;
  }

  void program(const float* target, size_t n, const ProgramContext& ctx,
               DeviceState& out) const override {
    RngStream prog = ctx.key.stream(DrawKind::ProgNoise);
    RngStream drift = ctx.key.stream(DrawKind::DriftNu);
    RngStream faults = ctx.key.stream(DrawKind::Fault);
    out.g_prog_uS.resize(n);
    out.nu.resize(n);
    std::vector<double> z_prog(n), z_drift(n);
    prog.normals(0, n, z_prog.data());
    drift.normals(0, n, z_drift.data());
    for (size_t i = 0; i < n; ++i) {
      double g_t = target[i];
      double g = g_t + m_prog_scale * sigma_prog_uS(g_t) * z_prog[i];
      out.g_prog_uS[i] = float(std::max(0.0, g));
      double g_rel = std::max(g_t / m_g_max_uS, 1e-7);  // aihwkit: max(|g_T/g_max|, 1e-7)
      double mu = std::clamp(-0.0155 * std::log(g_rel) + 0.0244, 0.049, 0.1);
      double sig = std::clamp(-0.0125 * std::log(g_rel) - 0.0059, 0.008, 0.045);
      out.nu[i] = float(m_drift_scale * std::fabs(mu + sig * z_drift[i]));
      if (m_stuck_set > 0.0 || m_stuck_reset > 0.0) {
        // Stuck devices ignore programming: SET (crystalline) at g_max, RESET at zero; neither
        // drifts.
        double u = faults.uniform(i);
        if (u < m_stuck_set) {
          out.g_prog_uS[i] = float(m_g_max_uS);
          out.nu[i] = 0.0f;
        } else if (u < m_stuck_set + m_stuck_reset) {
          out.g_prog_uS[i] = 0.0f;
          out.nu[i] = 0.0f;
        }
      }
    }
  }

  void read(const DeviceState& s, double t_s, const DrawKey& key, float* out) const override {
    RngStream noise = key.stream(DrawKind::ReadNoise);
    const double log_time = std::log((t_s + m_t0_s) / m_t0_s);
    // The 1/f integral vanishes (rather than turning negative) for reads shorter than t_read.
    const double read_int =
        std::sqrt(std::max(0.0, std::log((t_s + m_t0_s + m_t_read_s) / (2.0 * m_t_read_s))));
    std::vector<double> z(m_read_scale > 0.0 ? s.g_prog_uS.size() : 0);
    noise.normals(0, z.size(), z.data());
    for (size_t i = 0; i < s.g_prog_uS.size(); ++i) {
      double g_prog = s.g_prog_uS[i];
      double g = g_prog * std::exp(-double(s.nu[i]) * log_time);
      if (m_read_scale > 0.0) {
        double q = std::min(0.0088 / std::max(std::pow(g_prog / m_g_max_uS, 0.65), 1e-3), 0.2);
        g += std::fabs(g) * m_read_scale * q * read_int * z[i];
      }
      out[i] = float(std::max(0.0, g));
    }
  }

  /// Standard deviation of programming noise at target @p g_uS (before prog_noise_scale), uS.
  double sigma_prog_uS(double g_uS) const {
    // Coefficients: aihwkit PCMLikeNoiseModel prog_coeff (Nandakumar et al. 2019).
    constexpr double c0 = 0.26348, c1 = 1.9650, c2 = -1.1731;
    double g_rel = g_uS / m_g_max_uS;
    return (c0 + c1 * g_rel + c2 * g_rel * g_rel) * (m_g_max_uS / 25.0);
  }

 private:
  double m_g_max_uS, m_prog_scale, m_drift_scale, m_read_scale, m_t0_s, m_t_read_s, m_stuck_set,
      m_stuck_reset;
};

}  // namespace

PCMSIM_REGISTER(DeviceModel, PcmDevice, "pcm",
                "PCM: programming noise, drift, 1/f read noise (Nandakumar et al. 2019, aihwkit)");

}  // namespace pcmsim
