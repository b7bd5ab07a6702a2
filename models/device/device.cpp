// Shared pieces of the device models.

#include "models/device/device.h"

namespace pcmsim {

uint64_t derive_seed(uint64_t seed, uint32_t a, uint32_t b) {
  // One Philox block keyed by the seed, counter (a, b, tag): a new 64-bit seed.
  auto r = philox4x32({a, b, 0x5EEDu, 0xD371u}, {uint32_t(seed), uint32_t(seed >> 32)});
  return (uint64_t(r[0]) << 32) | r[1];
}

double read_g_max(Params& p) {
  // Default 25 uS: aihwkit PCMLikeNoiseModel g_max, from Nandakumar et al., "Phase-change memory
  // models for deep learning training and inference", ICECS 2019.
  return p.get<double>("g_max")
      .desc("largest programmable conductance of one device")
      .unit("uS")
      .range(1e-3, 1e6)
      .def(25.0);
}

}  // namespace pcmsim
