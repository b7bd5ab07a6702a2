#pragma once
// The chip's own settings (not those of its component implementations): organisation and the
// analog cores' peripheral numerics. Plain C++, so that `pcmsim describe chip` can list them.

#include <string>

#include "models/circuits/encoding.h"
#include "sim/framework/params.h"

namespace pcmsim {

struct ChipSettings {
  std::string name;
  double clock_ghz = 1.0;
  int tiles = 4;
  int activation_bits = 8, psum_bits = 16;
  int cores_per_tile = 8;
  int adcs = 0;  ///< ADCs per array; 0 = one per column
  bool noise_management = true;
  int bm_max_passes = 5;  ///< 1 when bound management is off
  bool normalized_outputs = true;
  WeightEncoding encoding;
  bool pipelined = false;  ///< layers work on different rows and images at once
  int images_in_flight = 1;
};

/// @brief Reads the chip's settings from the `chip:` map (chip.*, chip.tile.cores,
/// chip.tile.core.* except the component maps). In a describe pass, declares every parameter,
/// those of every encoding mode included.
ChipSettings read_chip_settings(Params& chip);

}  // namespace pcmsim
