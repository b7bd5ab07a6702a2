#pragma once
// The chip's own settings (not those of its component implementations): organisation and the
// analog cores' peripheral numerics. Plain C++, so that `pcmsim describe chip` can list them.

#include <string>
#include <vector>

#include "models/encoding/encoding.h"
#include "models/tech/tech_table.h"
#include "sim/base/params.h"

namespace pcmsim {

/// @brief Cost of a core or tile peripheral without a timing model of its own: energy per
/// action (what an action is depends on the peripheral), area and static power per instance.
struct PeripheralCost {
  double energy_pj = 0, area_um2 = 0, leakage_mw = 0;
};

/// @brief The analog core's periphery besides its converters (after ISAAC's IMA): sample-and-hold
/// per column, shift-and-add units, input and output registers.
struct CorePeriphery {
  PeripheralCost sample_hold;  ///< per column; energy per sample (one per column conversion)
  bool overlap = false;        ///< S&H lets the array integrate the next read while ADCs convert
  int shift_add_units = 1;
  PeripheralCost shift_add;        ///< per unit; energy per addition (one per conversion)
  PeripheralCost input_register;   ///< whole register; energy per byte read into the DACs
  PeripheralCost output_register;  ///< whole register; energy per byte (psum_bits per conversion)
  int input_vectors = 2;           ///< input register depth, in vectors
  int output_vectors = 2;          ///< output register depth, in vectors
};

/// @brief What a chip's published peak efficiency counts (chip.peak_scope): the energy classes
/// of its power and of its area, at pcmsim's full activity (Chip::peak_power). Papers differ:
/// HERMES counts its cores' arrays, ADCs and input drivers; ISAAC its whole chip.
struct PeakScope {
  bool set = false;                ///< the preset states a scope (the report prints its line)
  std::vector<std::string> power;  ///< energy classes in the power
  std::vector<std::string> area;   ///< energy classes in the area
  std::string source;              ///< where the scope is stated
};

struct ChipSettings {
  std::string name;
  double clock_ghz = 1.0;
  int tiles = 4;
  int activation_bits = 8, psum_bits = 16;
  bool fixed_datapath = true;  ///< values between tiles rounded to those bits (else float)
  int cores_per_tile = 8;
  int adcs = 0;  ///< ADCs per array; 0 = one per column
  bool noise_management = true;
  int bm_max_passes = 5;  ///< 1 when bound management is off
  int mvm_phases = 1;     ///< reads per MVM pass, converted apart and averaged
  bool normalized_outputs = true;
  WeightEncoding encoding;
  bool pipelined = false;  ///< layers work on different rows and images at once
  int images_in_flight = 1;
  CorePeriphery periphery;
  int accumulator_window = 4;           ///< pixels a copy's home tile accumulates at once
  PeripheralCost tile_output_register;  ///< whole register; energy per activation byte out
  TechTable tech;                       ///< digital energies per operation (chip.tech)
  PeakScope peak_scope;
};

/// @brief Reads the chip's settings from the `chip:` map (chip.*, chip.tech, chip.tile.cores,
/// chip.tile.core.* except the component maps). In a describe pass, declares every parameter,
/// those of every encoding mode included.
ChipSettings read_chip_settings(Params& chip);

}  // namespace pcmsim
