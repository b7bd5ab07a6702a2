#include "workloads/mapper.h"

#include <algorithm>

#include "sim/framework/cycles.h"
#include "sim/framework/error.h"

namespace pcmsim {

double Mapping::cell_utilization() const {
  if (blocks.empty()) return 0.0;
  return double(weights) * levels / (double(blocks.size()) * rows * cols);
}

Mapping map_network(const Network& net, const ChipShape& chip) {
  Mapping m;
  m.arrays_available = chip.tiles * chip.cores_per_tile;
  m.rows = chip.rows;
  m.cols = chip.cols;
  m.levels = chip.levels;
  int needed = 0;
  for (const Layer& l : net.layers) {
    if (l.op == LayerOp::Dense) {
      needed += int(ceil_div(uint64_t(l.in), uint64_t(chip.rows)) *
                    ceil_div(uint64_t(l.out), uint64_t(chip.cols))) *
                chip.levels;
    }
  }
  if (needed > m.arrays_available) {
    throw Error(net.source + ": the network needs " + std::to_string(needed) + " arrays of " +
                std::to_string(chip.rows) + "x" + std::to_string(chip.cols) + ", the chip has " +
                std::to_string(m.arrays_available) + " (" + std::to_string(chip.tiles) +
                " tiles x " + std::to_string(chip.cores_per_tile) +
                " cores): " + std::to_string(needed - m.arrays_available) + " missing");
  }
  int next_core = 0;
  for (size_t li = 0; li < net.layers.size(); ++li) {
    const Layer& l = net.layers[li];
    if (l.op == LayerOp::Flatten) continue;
    if (l.op == LayerOp::Relu) {
      if (m.layers.empty() || m.layers.back().relu) {
        throw Error(net.source + ": layer '" + l.name +
                    "' (Relu) must follow a Gemm or MatMul layer in this version");
      }
      m.layers.back().relu = true;
      continue;
    }
    MappedLayer ml;
    ml.net_layer = int(li);
    ml.name = l.name;
    ml.in = l.in;
    ml.out = l.out;
    ml.row_blocks = int(ceil_div(uint64_t(l.in), uint64_t(chip.rows)));
    ml.col_blocks = int(ceil_div(uint64_t(l.out), uint64_t(chip.cols)));
    int layer_index = int(m.layers.size());
    for (int rb = 0; rb < ml.row_blocks; ++rb) {
      for (int cb = 0; cb < ml.col_blocks; ++cb) {
        for (int lv = 0; lv < chip.levels; ++lv) {
          ArrayBlock b;
          b.layer = layer_index;
          b.index = (rb * ml.col_blocks + cb) * chip.levels + lv;
          b.level = lv;
          b.row0 = rb * chip.rows;
          b.rows = int(std::min<int64_t>(chip.rows, l.in - b.row0));
          b.col0 = cb * chip.cols;
          b.cols = int(std::min<int64_t>(chip.cols, l.out - b.col0));
          b.tile = next_core / chip.cores_per_tile;
          b.core = next_core % chip.cores_per_tile;
          ++next_core;
          ml.blocks.push_back(int(m.blocks.size()));
          if (std::find(ml.tiles.begin(), ml.tiles.end(), b.tile) == ml.tiles.end())
            ml.tiles.push_back(b.tile);
          m.blocks.push_back(b);
        }
      }
    }
    ml.home_tile = m.blocks[ml.blocks.front()].tile;
    m.weights += l.in * l.out;
    m.layers.push_back(std::move(ml));
  }
  return m;
}

}  // namespace pcmsim
