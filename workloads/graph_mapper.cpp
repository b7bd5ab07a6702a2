#include "workloads/graph_mapper.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "sim/framework/cycles.h"
#include "sim/framework/error.h"

namespace pcmsim {

GraphMapping map_graph(const Graph& g, const ChipShape& chip) {
  GraphMapping m;
  m.arrays_available = chip.tiles * chip.cores_per_tile;
  m.rows = chip.rows;
  m.cols = chip.cols;
  m.levels = chip.levels;
  m.layer_of_node.assign(g.nodes.size(), -1);
  // 1. The matrices.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    if (n.op != GraphOp::Conv && n.op != GraphOp::Dense) continue;
    GraphLayer l;
    l.node = int(i);
    l.name = n.name;
    l.op = n.op;
    if (n.op == GraphOp::Conv) {
      const Shape& out = g.values[size_t(n.output)].shape;
      l.groups = n.group;
      l.rows = n.weight.shape[1] * n.weight.shape[2] * n.weight.shape[3];
      l.cols = n.weight.shape[0] / n.group;
      l.pixels = out[1] * out[2];
    } else {
      l.rows = n.weight.shape[0];
      l.cols = n.weight.shape[1];
    }
    l.row_blocks = int(ceil_div(uint64_t(l.rows), uint64_t(chip.rows)));
    l.col_blocks = int(ceil_div(uint64_t(l.cols), uint64_t(chip.cols)));
    l.weights = int64_t(l.groups) * l.rows * l.cols;
    m.weights += l.weights;
    m.macs_per_image += l.weights * l.pixels;
    m.layer_of_node[i] = int(m.layers.size());
    m.layers.push_back(l);
  }
  int needed = 0;
  for (const GraphLayer& l : m.layers)
    needed += l.groups * l.row_blocks * l.col_blocks * chip.levels;
  if (needed > m.arrays_available) {
    throw Error(g.source + ": the network needs " + std::to_string(needed) + " arrays of " +
                std::to_string(chip.rows) + "x" + std::to_string(chip.cols) + ", the chip has " +
                std::to_string(m.arrays_available) + " (" + std::to_string(chip.tiles) +
                " tiles x " + std::to_string(chip.cores_per_tile) +
                " cores): " + std::to_string(needed - m.arrays_available) + " missing");
  }
  // 2. Blocks onto cores, in order.
  int next = 0;
  for (size_t li = 0; li < m.layers.size(); ++li) {
    GraphLayer& l = m.layers[li];
    int index = 0;
    for (int gr = 0; gr < l.groups; ++gr) {
      for (int rb = 0; rb < l.row_blocks; ++rb) {
        for (int cb = 0; cb < l.col_blocks; ++cb) {
          for (int lv = 0; lv < chip.levels; ++lv) {
            GraphBlock b;
            b.layer = int(li);
            b.index = index++;
            b.group = gr;
            b.level = lv;
            b.row0 = rb * chip.rows;
            b.rows = int(std::min<int64_t>(chip.rows, l.rows - b.row0));
            b.col0 = cb * chip.cols;
            b.cols = int(std::min<int64_t>(chip.cols, l.cols - b.col0));
            b.tile = next / chip.cores_per_tile;
            b.core = next % chip.cores_per_tile;
            ++next;
            l.blocks.push_back(int(m.blocks.size()));
            if (std::find(l.tiles.begin(), l.tiles.end(), b.tile) == l.tiles.end())
              l.tiles.push_back(b.tile);
            m.blocks.push_back(b);
          }
        }
      }
    }
    l.home_tile = m.blocks[size_t(l.blocks.front())].tile;
    l.utilization =
        double(l.weights) * chip.levels / (double(l.blocks.size()) * chip.rows * chip.cols);
  }
  return m;
}

std::vector<float> layer_matrix(const Graph& g, const GraphLayer& l, int group) {
  const GraphNode& n = g.nodes[size_t(l.node)];
  if (n.op == GraphOp::Dense) return n.weight.data;  // already inputs x outputs
  // Conv weight [M, C/g, kh, kw]: row (c, i, j) -> c * kh * kw + i * kw + j, column m.
  std::vector<float> w(size_t(l.rows * l.cols));
  for (int64_t mm = 0; mm < l.cols; ++mm) {
    const int64_t m = int64_t(group) * l.cols + mm;
    for (int64_t r = 0; r < l.rows; ++r)
      w[size_t(r * l.cols + mm)] = n.weight.data[size_t(m * l.rows + r)];
  }
  return w;
}

std::string mapping_report(const Graph& g, const GraphMapping& m) {
  std::ostringstream os;
  os << "  " << std::left << std::setw(28) << "layer" << std::setw(8) << "op" << std::setw(14)
     << "matrix" << std::right << std::setw(7) << "groups" << std::setw(8) << "pixels"
     << std::setw(8) << "arrays" << std::setw(8) << "util %"
     << "\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    os << "  " << std::left << std::setw(28) << n.name.substr(0, 27);
    const int li = m.layer_of_node[i];
    if (li < 0) {
      os << std::setw(8) << n.onnx_op << "digital\n";
      continue;
    }
    const GraphLayer& l = m.layers[size_t(li)];
    os << std::setw(8) << n.onnx_op << std::setw(14)
       << (std::to_string(l.rows) + "x" + std::to_string(l.cols)) << std::right << std::setw(7)
       << l.groups << std::setw(8) << l.pixels << std::setw(8) << l.blocks.size() << std::setw(8)
       << std::fixed << std::setprecision(1) << 100.0 * l.utilization << "\n";
  }
  return os.str();
}

}  // namespace pcmsim
