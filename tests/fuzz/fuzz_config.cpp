// Fuzz target: a run config (YAML, with includes relative to it) through the config loader, the
// parameter checks and the chip description: the chip settings and the core's models (array,
// device, DAC, ADC) from the registry, as the chip reads them before it builds its modules.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "models/adc/adc.h"
#include "models/array/array.h"
#include "models/dac/dac.h"
#include "models/device/device.h"
#include "sim/arch/chip_settings.h"
#include "sim/base/config.h"
#include "sim/base/error.h"
#include "sim/base/params.h"
#include "sim/base/registry.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 14)) return -1;
  const std::string path = pcmsim::fuzz::write_input(data, size, "run.yaml");
  try {
    auto root = pcmsim::load_config(path);
    auto ctx = std::make_shared<pcmsim::ParamContext>();
    pcmsim::Params top(root.get(), "", ctx);
    pcmsim::Params chip = top.child("chip");
    (void)pcmsim::read_chip_settings(chip);
    pcmsim::Params core = chip.child("tile").child("core");
    pcmsim::Params ap = core.child("array"), dp = core.child("device");
    pcmsim::Params dacp = core.child("dac"), adcp = core.child("adc");
    (void)pcmsim::Registry<pcmsim::ArrayModel>::create(ap);
    (void)pcmsim::Registry<pcmsim::DeviceModel>::create(dp);
    (void)pcmsim::Registry<pcmsim::Dac>::create(dacp);
    (void)pcmsim::Registry<pcmsim::Adc>::create(adcp);
  } catch (const pcmsim::Error&) {
  }
  return 0;
}
