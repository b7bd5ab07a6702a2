#pragma once
// What the parts of an analog core share: how every core of a chip is built (CoreSetup), one
// MVM's work as the timing laws see it (MvmJob), and a read held between the array and the ADCs
// (HeldRead).

#include <cstdint>

#include "models/adc/adc.h"
#include "models/array/array.h"
#include "models/dac/dac.h"
#include "sim/arch/chip_settings.h"

namespace pcmsim {

/// @brief What every core of a chip is built from.
struct CoreSetup {
  const Dac* dac = nullptr;
  const Adc* adc = nullptr;
  const ArrayModel* array = nullptr;
  int adcs = 1;  ///< ADCs per array
  int psum_bits = 16;
  CorePeriphery periphery;
  int input_vectors = 2;   ///< input register depth in vectors
  int output_vectors = 2;  ///< output register depth in vectors
};

/// @brief One MVM's work: the reads and their codes, for the timing laws.
struct MvmJob {
  int slot = 0;       ///< image slot (-1: drift-compensation readouts)
  int64_t pixel = 0;  ///< output pixel
  int tag = -1;       ///< step
  int rows = 0, cols = 0;
  uint32_t passes = 1;              ///< MVMs of the array (1 + bound-management repeats)
  uint32_t reads = 1;               ///< recorded reads: passes x phases
  const uint16_t* codes = nullptr;  ///< 1 + rounds per recorded read, or null (fixed times)
  double basis = 0;                 ///< read-energy basis of all its reads
};

/// @brief One read's samples in the sample-and-hold, waiting for the ADC bank.
struct HeldRead {
  const MvmJob* job;
  bool last;  ///< the MVM's last read
  const uint16_t* codes;
};

}  // namespace pcmsim
