#pragma once
// The chip's analog numerics as data, for tools outside pcmsim (hardware-aware training,
// tools/train_cnn.py --hwa): the device model's read statistics tabulated by pcmsim's own draws
// (levels x times), and the converters' and MVM's settings. `pcmsim validate CONFIG
// --export-device FILE` writes it.

#include <string>
#include <vector>

#include "models/array/programmed_array.h"
#include "models/device/device.h"

namespace pcmsim {

/// @brief What export_device_table() tabulates.
struct DeviceTablePlan {
  int levels = 33;                   ///< targets 0, 1/(levels-1), ..., 1 of g_max
  int devices = 8192;                ///< devices programmed per level
  std::vector<double> times_s = {};  ///< read times after programming (empty: the default set)
  uint64_t seed = 1;
};

/// @brief The table as JSON text: per read time and target level, the mean and standard
/// deviation of the conductance pcmsim's device model reads (each level programmed on
/// @p plan.devices devices with the run's seed), the DAC/ADC and MVM settings of @p numerics,
/// the array shape; @p source names the config.
std::string export_device_table(const DeviceModel& device, const MvmNumerics& numerics,
                                int array_rows, int array_cols, const DeviceTablePlan& plan,
                                const std::string& source);

}  // namespace pcmsim
