#include "sim/app/device_export.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "models/adc/adc.h"
#include "models/dac/dac.h"
#include "sim/base/version.h"

namespace pcmsim {

std::string export_device_table(const DeviceModel& device, const MvmNumerics& numerics,
                                int array_rows, int array_cols, const DeviceTablePlan& plan,
                                const std::string& source) {
  // Read times: the deployment range of the accuracy studies (1 s to a year, a year of 365
  // days as pcmsim's unit parser has it) and the moment of programming.
  const std::vector<double> times =
      plan.times_s.empty()
          ? std::vector<double>{0.0, 1.0, 60.0, 3600.0, 86400.0, 604800.0, 2592000.0, 31536000.0}
          : plan.times_s;
  const double g_max = device.g_max_uS();
  const size_t n = size_t(std::max(1, plan.devices));
  std::vector<double> levels;
  for (int k = 0; k < plan.levels; ++k)
    levels.push_back(plan.levels > 1 ? double(k) / double(plan.levels - 1) : 1.0);
  // mean[t][level], std[t][level]: each level's devices programmed once, read at every time
  // (as an array is), keyed by (seed, level).
  std::vector<std::vector<double>> mean(times.size(), std::vector<double>(levels.size())),
      sdev = mean;
  std::vector<float> target(n), g(n);
  for (size_t k = 0; k < levels.size(); ++k) {
    std::fill(target.begin(), target.end(), float(levels[k] * g_max));
    ProgramContext ctx;
    ctx.key = {plan.seed, uint32_t(k), 0};
    ctx.uS_per_weight = g_max;  // weights in units of the full scale: level k is weight levels[k]
    ctx.block_w_max = 1.0;
    ctx.layer_w_max = 1.0;
    ctx.layer_w_std = 1.0 / std::sqrt(3.0);  // a layer uniform over [-1, 1]
    DeviceState state;
    device.program(target.data(), n, ctx, state);
    for (size_t t = 0; t < times.size(); ++t) {
      device.read(state, times[t], {plan.seed, uint32_t(k), 1}, g.data());
      double m = 0, v = 0;
      for (float x : g) m += double(x);
      m /= double(n);
      for (float x : g) v += (double(x) - m) * (double(x) - m);
      mean[t][k] = m;
      sdev[t][k] = n > 1 ? std::sqrt(v / double(n - 1)) : 0.0;
    }
  }
  nlohmann::ordered_json j;
  j["pcmsim_version"] = version();
  j["source"] = source;
  j["about"] =
      "Read statistics of the chip's device model, from pcmsim's own draws: for each read time "
      "after programming (times_s) and target level (levels, fractions of g_max), the mean and "
      "sample standard deviation (mean_uS, std_uS: [time][level]) over devices_per_level "
      "devices programmed to that level. A weight w of a layer whose full scale is w_max maps "
      "to a differential pair: G+ at level max(w, 0) / w_max, G- at level max(-w, 0) / w_max.";
  j["device"] = {{"g_max_uS", g_max}, {"exact", device.exact()}};
  j["levels"] = levels;
  j["times_s"] = times;
  j["devices_per_level"] = n;
  j["seed"] = plan.seed;
  j["mean_uS"] = mean;
  j["std_uS"] = sdev;
  j["array"] = {{"rows", array_rows}, {"cols", array_cols}};
  nlohmann::ordered_json mvm;
  mvm["ideal"] = numerics.ideal;
  mvm["noise_management"] = numerics.noise_management;
  mvm["bound_management_passes"] = numerics.max_passes;
  mvm["normalized_outputs"] = numerics.normalized_outputs;
  mvm["phases"] = numerics.phases;
  if (numerics.dac)
    mvm["dac"] = {{"bits", numerics.dac->bits()},
                  {"bound", numerics.dac->bound()},
                  {"step", numerics.dac->step()}};
  if (numerics.adc)
    mvm["adc"] = {{"bits", numerics.adc->bits()},
                  {"bound", numerics.adc->bound()},
                  {"step", numerics.adc->step()},
                  {"out_noise", numerics.adc->out_noise()}};
  j["mvm"] = mvm;
  return j.dump(1) + "\n";
}

}  // namespace pcmsim
