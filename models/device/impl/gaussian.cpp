// Additive Gaussian weight noise.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/device/device.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// Additive Gaussian weight noise, the device model of the analog-inference benchmarking
/// literature (e.g. Joshi et al., Nat. Commun. 2020, Fig. 2; Rasch et al., Nat. Commun. 2023):
/// W' = W + sigma_rel * s * N(0,1) with s = max|W| or std(W) of the layer, drawn once at
/// programming; no drift, no read noise. It is a conductance noise: sigma_g = sigma_rel * s *
/// g_max / max|W_block|, the same for every device of a weight block, so a weight on one pair
/// gets exactly the weight noise above, and a level with a smaller full scale (a less significant
/// bit slice) gets proportionally less. Each device of a pair gets sigma_g / sqrt(2), so the pair
/// difference has sigma_g; conductances are not clamped (an abstract model).
class GaussianWeightNoise : public DeviceModel {
 public:
  explicit GaussianWeightNoise(Params& p)
      : m_g_max_uS(read_g_max(p)),
        m_sigma(p.get<double>("sigma")
                    .desc("noise standard deviation relative to the layer's max|W| or std(W)")
                    .range(0.0, 100.0)
                    .def(0.05)),
        m_rel_std(
            std::string(p.get<std::string>("relative_to")
                            .desc("what sigma is relative to: max (max|W| of the layer) or std")
                            .choices({"max", "std"})
                            .def("max")) == "std") {}
  double g_max_uS() const override { return m_g_max_uS; }
  bool exact() const override { return m_sigma == 0.0; }
  void program(const float* target, size_t n, const ProgramContext& ctx,
               DeviceState& out) const override {
    const double scale = m_rel_std ? ctx.layer_w_std : ctx.layer_w_max;
    const double sigma_dev_uS = m_sigma * scale * m_g_max_uS / ctx.block_w_max / std::sqrt(2.0);
    RngStream prog = ctx.key.stream(DrawKind::ProgNoise);
    out.g_prog_uS.resize(n);
    out.nu.clear();
    std::vector<double> z(n);
    prog.normals(0, n, z.data());
    for (size_t i = 0; i < n; ++i) out.g_prog_uS[i] = float(target[i] + sigma_dev_uS * z[i]);
  }
  void read(const DeviceState& s, double, const DrawKey&, float* out) const override {
    std::copy(s.g_prog_uS.begin(), s.g_prog_uS.end(), out);
  }

 private:
  double m_g_max_uS, m_sigma;
  bool m_rel_std;
};

}  // namespace

PCMSIM_REGISTER(DeviceModel, GaussianWeightNoise, "gaussian",
                "additive Gaussian weight noise relative to max|W| or std(W) of the layer");

}  // namespace pcmsim
