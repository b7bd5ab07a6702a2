// The ideal device: holds exactly its target conductance, at every time.

#include <algorithm>

#include "models/device/device.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// Devices hold exactly the target conductance, at every time.
class IdealDevice : public DeviceModel {
 public:
  explicit IdealDevice(Params& p) : m_g_max_uS(read_g_max(p)) {}
  double g_max_uS() const override { return m_g_max_uS; }
  void program(const float* target, size_t n, const ProgramContext&,
               DeviceState& out) const override {
    out.g_prog_uS.assign(target, target + n);
    out.nu.clear();
  }
  void read(const DeviceState& s, double, const DrawKey&, float* out) const override {
    std::copy(s.g_prog_uS.begin(), s.g_prog_uS.end(), out);
  }
  bool exact() const override { return true; }

 private:
  double m_g_max_uS;
};

}  // namespace

PCMSIM_REGISTER(DeviceModel, IdealDevice, "ideal", "device holds exactly its target conductance");

}  // namespace pcmsim
