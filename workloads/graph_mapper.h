#pragma once
// Maps the analog nodes of a graph (Conv, Dense) onto crossbar arrays. A convolution becomes one
// matrix per group by im2col: row (c, i, j) = input channel c of the group, kernel row i, kernel
// column j; column m = output channel m of the group; each output pixel is one MVM with the
// input patch as the vector. Matrices larger than an array split into row and column blocks
// (partial sums added digitally); each block takes one array per encoding level. Groups small
// enough to share an array are packed on its diagonal (a depthwise 3x3 convolution puts 28
// channels on one 256x256 array). A layer may be replicated: each copy holds all its weights
// and takes every n-th output pixel. Every other node runs on the digital units.

#include <map>
#include <string>
#include <vector>

#include "workloads/graph.h"

namespace pcmsim {

/// @brief What the mapper needs to know of the chip.
struct ChipShape {
  int tiles = 1;
  int cores_per_tile = 1;
  int rows = 256, cols = 256;  ///< array size
  int levels = 1;              ///< arrays per weight block (significance levels or bit slices)
};

/// @brief Choices of the mapping (config `mapping:`).
struct MappingOptions {
  bool pack_groups = true;            ///< several groups of a grouped conv per array
  std::map<std::string, int> copies;  ///< layer name -> replicas (1 if absent)
};

/// @brief One array: a block of the matrices of one analog layer, at one encoding level.
struct GraphBlock {
  int layer = 0;  ///< index into GraphMapping::layers
  int index = 0;  ///< block number within the layer (replica, group, row block, column block,
                  ///< level): the key of its random draws
  int replica = 0;
  int group = 0;   ///< first group it holds
  int packed = 1;  ///< groups on its diagonal: rows and columns are packed x the group's
  int level = 0;
  int row0 = 0, rows = 0, col0 = 0, cols = 0;  ///< within one group's matrix (packed: 0, all)
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
  int pack = 1;        ///< groups per array (block-diagonal packing)
  int replicas = 1;    ///< copies; output pixel p runs on copy p % replicas
  int64_t pixels = 1;  ///< MVMs per image per block of one copy: output height x width (1: Dense)
  std::vector<int> blocks;      ///< indices into GraphMapping::blocks, replica-major
  std::vector<int> tiles;       ///< tiles holding its blocks, ascending
  std::vector<int> home_tiles;  ///< per replica: the tile that assembles its outputs
  int64_t weights = 0;          ///< of one copy
  double utilization = 0;       ///< weights / (arrays x rows x cols), all copies
  int arrays_per_replica() const { return int(blocks.size()) / replicas; }
};

struct GraphMapping {
  std::vector<GraphLayer> layers;
  std::vector<GraphBlock> blocks;
  std::vector<int> layer_of_node;  ///< per graph node: its analog layer, or -1 (digital)
  int arrays_available = 0;
  int rows = 0, cols = 0, levels = 1;
  int64_t weights = 0;
  int64_t macs_per_image = 0;       ///< weights x pixels over the analog layers
  double cell_utilization() const;  ///< weights / (arrays used x rows x cols), copies included
};

/// @brief The first layer name in @p opt.copies that is not a Conv or Dense node of @p g, or ""
/// if every one is.
std::string unknown_copied_layer(const Graph& g, const MappingOptions& opt);

/// @brief Maps @p g onto a chip of shape @p chip. Throws Error if it needs more arrays than
/// the chip has (saying how many), or if @p opt names a layer the graph does not map.
GraphMapping map_graph(const Graph& g, const ChipShape& chip, const MappingOptions& opt = {});

/// @brief The matrix of group @p group of analog layer @p l: rows x cols, row-major.
std::vector<float> layer_matrix(const Graph& g, const GraphLayer& l, int group);

/// @brief The weights array block @p b holds at its level 0: rows x cols, row-major; a packed
/// block is block-diagonal (zeros between the groups).
std::vector<float> block_weights(const Graph& g, const GraphMapping& m, const GraphBlock& b);

/// @brief The mapping report: per node its op and where it runs; per analog layer its matrix
/// shape, groups per array, copies, arrays and cell utilization.
std::string mapping_report(const Graph& g, const GraphMapping& m);

}  // namespace pcmsim
