#pragma once
// Maps the analog nodes of a graph (Conv, Dense) onto crossbar arrays. A convolution becomes one
// matrix per group by im2col: row (c, i, j) = input channel c of the group, kernel row i, kernel
// column j; column m = output channel m of the group; each output pixel is one MVM with the
// input patch as the vector. Matrices larger than an array split into row and column blocks
// (partial sums added digitally); each block takes one array per encoding level. Every other
// node runs on the digital units.

#include <string>
#include <vector>

#include "workloads/graph.h"
#include "workloads/mapper.h"

namespace pcmsim {

/// @brief One array: a block of one group's matrix of one analog layer, at one encoding level.
struct GraphBlock {
  int layer = 0;  ///< index into GraphMapping::layers
  int index = 0;  ///< block number within the layer (group, row block, column block, level)
  int group = 0, level = 0;
  int row0 = 0, rows = 0, col0 = 0, cols = 0;  ///< within the group's matrix
  int tile = 0, core = 0;
};

/// @brief One analog node on arrays.
struct GraphLayer {
  int node = 0;  ///< index into Graph::nodes
  std::string name;
  GraphOp op = GraphOp::Dense;
  int groups = 1;
  int64_t rows = 0, cols = 0;  ///< one group's matrix: C/g * kh * kw (or K) by M/g (or N)
  int row_blocks = 0, col_blocks = 0;
  int64_t pixels = 1;       ///< MVMs per image per block: output height x width (1 for Dense)
  std::vector<int> blocks;  ///< indices into GraphMapping::blocks
  std::vector<int> tiles;   ///< tiles holding its blocks, ascending
  int home_tile = 0;
  int64_t weights = 0;
  double utilization = 0;  ///< weights / (arrays x rows x cols)
};

struct GraphMapping {
  std::vector<GraphLayer> layers;
  std::vector<GraphBlock> blocks;
  std::vector<int> layer_of_node;  ///< per graph node: its analog layer, or -1 (digital)
  int arrays_available = 0;
  int rows = 0, cols = 0, levels = 1;
  int64_t weights = 0;
  int64_t macs_per_image = 0;  ///< weights x pixels over the analog layers
};

/// @brief Maps @p g onto a chip of shape @p chip. Throws Error if it needs more arrays than
/// the chip has, saying how many.
GraphMapping map_graph(const Graph& g, const ChipShape& chip);

/// @brief The matrix of group @p group of analog layer @p l: rows x cols, row-major.
std::vector<float> layer_matrix(const Graph& g, const GraphLayer& l, int group);

/// @brief The mapping report: per analog layer its op, matrix shape, arrays and utilization.
std::string mapping_report(const Graph& g, const GraphMapping& m);

}  // namespace pcmsim
