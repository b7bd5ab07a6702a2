// PCM devices: programming noise, drift, 1/f read noise and stuck-at faults.

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/device/device.h"
#include "sim/base/clones.h"
#include "sim/base/detmath.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// Devices programmed or read at a time: their draws stay in the L1 cache (a multiple of 4,
/// the draws of one Philox block).
constexpr size_t kChunk = 2048;

/// Programming of n devices (the formulas below, in single precision on the project's own ln,
/// decision 65): their conductances and drift exponents from the targets and the two normal
/// draws of each.
PCMSIM_CLONES
void program_devices(const float* target, size_t n, const float* z_prog, const float* z_drift,
                     float g_max, float prog_scale, float drift_scale, float* g_prog, float* nu) {
  // Coefficients: aihwkit PCMLikeNoiseModel prog_coeff (Nandakumar et al. 2019).
  constexpr float c0 = 0.26348f, c1 = 1.9650f, c2 = -1.1731f;
  for (size_t i = 0; i < n; ++i) {
    const float g_t = target[i], r = g_t / g_max;
    const float sigma = (c0 + c1 * r + c2 * r * r) * (g_max / 25.0f);
    const float g = g_t + prog_scale * sigma * z_prog[i];
    g_prog[i] = g > 0.0f ? g : 0.0f;
    const float ln_rel = det::log(r > 1e-7f ? r : 1e-7f);  // aihwkit: max(|g_T/g_max|, 1e-7)
    const float mu0 = -0.0155f * ln_rel + 0.0244f, sig0 = -0.0125f * ln_rel - 0.0059f;
    const float mu = mu0 < 0.049f ? 0.049f : mu0 > 0.1f ? 0.1f : mu0;          // clamp
    const float sig = sig0 < 0.008f ? 0.008f : sig0 > 0.045f ? 0.045f : sig0;  // clamp
    nu[i] = drift_scale * std::fabs(mu + sig * z_drift[i]);
  }
}

/// Reads of n devices at log((t + t0) / t0) = @p log_time: drift, then 1/f read noise of
/// relative size read * q (read = read_noise_scale x the 1/f integral; z null: none), in
/// single precision.
PCMSIM_CLONES
void read_devices(const float* g_prog, const float* nu, size_t n, const float* z, float log_time,
                  float read, float g_max, float* out) {
  if (!z) {
    for (size_t i = 0; i < n; ++i) {
      const float g = g_prog[i] * det::exp(-nu[i] * log_time);
      out[i] = g > 0.0f ? g : 0.0f;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const float gp = g_prog[i];
    float g = gp * det::exp(-nu[i] * log_time);
    // (g_prog / g_max)^0.65 below 1e-3 does not matter (the max): the floor keeps ln finite.
    const float rel = gp / g_max;
    const float p = det::pow(rel > 1e-30f ? rel : 1e-30f, 0.65f);
    const float q0 = 0.0088f / (p > 1e-3f ? p : 1e-3f);
    const float q = q0 < 0.2f ? q0 : 0.2f;
    g = g + std::fabs(g) * read * q * z[i];
    out[i] = g > 0.0f ? g : 0.0f;
  }
}

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
    // Chunks of devices whose draws stay in the L1 cache (each draw is keyed by its index).
    float z_prog[kChunk], z_drift[kChunk];
    for (size_t i = 0; i < n; i += kChunk) {
      const size_t m = std::min(kChunk, n - i);
      prog.normals(i, m, z_prog);
      drift.normals(i, m, z_drift);
      program_devices(target + i, m, z_prog, z_drift, float(m_g_max_uS), float(m_prog_scale),
                      float(m_drift_scale), out.g_prog_uS.data() + i, out.nu.data() + i);
    }
    if (m_stuck_set > 0.0 || m_stuck_reset > 0.0) {
      // Stuck devices ignore programming: SET (crystalline) at g_max, RESET at zero; neither
      // drifts.
      for (size_t i = 0; i < n; ++i) {
        const double u = faults.uniform(i);
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
    const size_t n = s.g_prog_uS.size();
    float z[kChunk];
    for (size_t i = 0; i < n; i += kChunk) {
      const size_t m = std::min(kChunk, n - i);
      if (m_read_scale > 0.0) noise.normals(i, m, z);
      read_devices(s.g_prog_uS.data() + i, s.nu.data() + i, m, m_read_scale > 0.0 ? z : nullptr,
                   float(log_time), float(m_read_scale * read_int), float(m_g_max_uS), out + i);
    }
  }

 private:
  double m_g_max_uS, m_prog_scale, m_drift_scale, m_read_scale, m_t0_s, m_t_read_s, m_stuck_set,
      m_stuck_reset;
};

}  // namespace

PCMSIM_REGISTER(DeviceModel, PcmDevice, "pcm",
                "PCM: programming noise, drift, 1/f read noise (Nandakumar et al. 2019, aihwkit)");

}  // namespace pcmsim
