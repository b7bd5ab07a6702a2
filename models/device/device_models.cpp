// Implementations of DeviceModel: ideal devices and PCM with programming noise.

#include <algorithm>
#include <cmath>

#include "models/device/device_model.h"
#include "sim/framework/registry.h"

namespace pcmsim {
namespace {

double read_g_max(Params& p) {
  // Default 25 uS: aihwkit PCMLikeNoiseModel g_max, from Nandakumar et al., "Phase-change memory
  // models for deep learning training and inference", ICECS 2019.
  return p.get<double>("g_max")
      .desc("largest programmable conductance of one device")
      .unit("uS")
      .range(1e-3, 1e6)
      .def(25.0);
}

/// Devices hold exactly the target conductance.
class IdealDevice : public DeviceModel {
 public:
  explicit IdealDevice(Params& p) : m_g_max_uS(read_g_max(p)) {}
  double g_max_uS() const override { return m_g_max_uS; }
  void program(const float* target, float* out, size_t n, const RngStream&) const override {
    std::copy(target, target + n, out);
  }
  bool exact() const override { return true; }

 private:
  double m_g_max_uS;
};

/// PCM programming noise as fitted by Nandakumar et al. (ICECS 2019) on ~1M IBM PCM devices and
/// used by aihwkit's PCMLikeNoiseModel: sigma_prog(g) = c0 + c1*g_rel + c2*g_rel^2 in uS at
/// g_max = 25 uS (scaled by g_max/25), g_prog = max(0, g_T + sigma_prog * N(0,1)).
/// Drift and read noise are separate models.
class PcmProgNoiseDevice : public DeviceModel {
 public:
  explicit PcmProgNoiseDevice(Params& p)
      : m_g_max_uS(read_g_max(p)),
        m_scale(p.get<double>("prog_noise_scale")
                    .desc("multiplier on the programming-noise standard deviation")
                    .range(0.0, 100.0)
                    .def(1.0)) {}
  double g_max_uS() const override { return m_g_max_uS; }
  bool exact() const override { return m_scale == 0.0; }

  /// @brief Standard deviation of programming noise at target @p g_uS, in uS.
  double sigma_uS(double g_uS) const {
    // Coefficients: aihwkit PCMLikeNoiseModel prog_coeff (Nandakumar et al. 2019).
    constexpr double c0 = 0.26348, c1 = 1.9650, c2 = -1.1731;
    double g_rel = g_uS / m_g_max_uS;
    return m_scale * (c0 + c1 * g_rel + c2 * g_rel * g_rel) * (m_g_max_uS / 25.0);
  }

  void program(const float* target, float* out, size_t n, const RngStream& rng) const override {
    for (size_t i = 0; i < n; ++i) {
      double g = target[i] + sigma_uS(target[i]) * rng.normal(i);
      out[i] = static_cast<float>(std::max(0.0, g));
    }
  }

 private:
  double m_g_max_uS;
  double m_scale;
};

}  // namespace

PCMSIM_REGISTER(DeviceModel, IdealDevice, "ideal", "device holds exactly its target conductance");
PCMSIM_REGISTER(DeviceModel, PcmProgNoiseDevice, "pcm",
                "PCM with conductance-dependent programming noise (Nandakumar et al. 2019)");

}  // namespace pcmsim
