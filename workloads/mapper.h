#pragma once
// The mapper: splits each Dense layer's weight matrix into array-sized blocks and places the
// blocks on the chip's cores, one block per core, in order.

#include <string>
#include <vector>

#include "workloads/network.h"

namespace pcmsim {

/// @brief What the mapper needs to know of the chip.
struct ChipShape {
  int tiles = 1;
  int cores_per_tile = 1;
  int rows = 256, cols = 256;  ///< array size
  int levels = 1;              ///< arrays per weight block (significance levels or bit slices)
};

/// @brief One array-sized block of one layer's weight matrix, placed on one core.
struct ArrayBlock {
  int layer = 0;  ///< index into Mapping::layers
  int index = 0;  ///< block number within its layer (row-block major, then level)
  int level = 0;  ///< significance level or bit slice it holds (0 = most significant)
  int row0 = 0, rows = 0, col0 = 0, cols = 0;
  int tile = 0, core = 0;
};

/// @brief One Dense layer on the chip, with the element-wise layers fused after it.
struct MappedLayer {
  int net_layer = 0;  ///< index into Network::layers
  std::string name;
  int64_t in = 0, out = 0;
  int row_blocks = 0, col_blocks = 0;
  std::vector<int> blocks;  ///< indices into Mapping::blocks, row-block major, levels adjacent
  bool relu = false;        ///< a Relu follows (done by the digital unit)
  int home_tile = 0;        ///< tile whose digital unit accumulates the partial sums
  std::vector<int> tiles;   ///< tiles holding blocks of this layer, ascending
};

struct Mapping {
  std::vector<MappedLayer> layers;
  std::vector<ArrayBlock> blocks;
  int arrays_available = 0;
  double cell_utilization() const;  ///< weights / (arrays used x rows x cols)
  int64_t weights = 0;
  int rows = 0, cols = 0;
  int levels = 1;
};

/// @brief Maps @p net onto a chip of shape @p chip. Throws Error if it needs more arrays than
/// the chip has (saying how many), or if the network has an element-wise layer before its
/// first Dense layer other than Flatten.
Mapping map_network(const Network& net, const ChipShape& chip);

}  // namespace pcmsim
