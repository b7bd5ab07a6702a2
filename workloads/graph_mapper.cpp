#include "workloads/graph_mapper.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "sim/base/cycles.h"
#include "sim/base/error.h"

namespace pcmsim {

double GraphMapping::cell_utilization() const {
  int64_t used = 0;
  for (const GraphLayer& l : layers) used += l.weights * l.replicas;
  return blocks.empty() ? 0.0
                        : double(used) * levels / (double(blocks.size()) * double(rows) * cols);
}

std::string unknown_copied_layer(const Graph& g, const MappingOptions& opt) {
  for (const auto& kv : opt.copies) {
    bool found = false;
    for (const GraphNode& n : g.nodes)
      found = found || ((n.op == GraphOp::Conv || n.op == GraphOp::Dense) && n.name == kv.first);
    if (!found) return kv.first;
  }
  return "";
}

namespace {

/// One analog layer of node @p i: its matrix after im2col, blocks, packing and copies.
GraphLayer make_layer(const Graph& g, size_t i, const ChipShape& chip, const MappingOptions& opt) {
  const GraphNode& n = g.nodes[i];
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
  if (opt.pack_groups && l.groups > 1 && l.rows <= chip.rows && l.cols <= chip.cols) {
    l.pack = int(std::min<int64_t>({l.groups, chip.rows / l.rows, chip.cols / l.cols}));
  }
  auto c = opt.copies.find(l.name);
  if (c != opt.copies.end()) l.replicas = c->second;
  l.weights = int64_t(l.groups) * l.rows * l.cols;
  return l;
}

/// Layer @p li's blocks onto the cores from @p next on, in order (copy, group, row block, column
/// block, level).
void place_layer(GraphMapping& m, size_t li, const ChipShape& chip, int& next) {
  GraphLayer& l = m.layers[li];
  int index = 0;
  for (int rep = 0; rep < l.replicas; ++rep) {
    for (int gr = 0; gr < l.groups; gr += l.pack) {
      const int k = std::min(l.pack, l.groups - gr);
      for (int rb = 0; rb < l.row_blocks; ++rb) {
        for (int cb = 0; cb < l.col_blocks; ++cb) {
          for (int lv = 0; lv < chip.levels; ++lv) {
            GraphBlock b;
            b.layer = int(li);
            b.index = index++;
            b.replica = rep;
            b.group = gr;
            b.packed = k;
            b.level = lv;
            b.row0 = rb * chip.rows;
            b.rows = int(std::min<int64_t>(chip.rows, l.rows - b.row0)) * k;
            b.col0 = cb * chip.cols;
            b.cols = int(std::min<int64_t>(chip.cols, l.cols - b.col0)) * k;
            b.tile = next / chip.cores_per_tile;
            b.core = next % chip.cores_per_tile;
            ++next;
            if (int(l.home_tiles.size()) == rep) l.home_tiles.push_back(b.tile);
            l.blocks.push_back(int(m.blocks.size()));
            if (std::find(l.tiles.begin(), l.tiles.end(), b.tile) == l.tiles.end())
              l.tiles.push_back(b.tile);
            m.blocks.push_back(b);
          }
        }
      }
    }
  }
  std::sort(l.tiles.begin(), l.tiles.end());
  l.utilization = double(l.weights) * l.replicas * chip.levels /
                  (double(l.blocks.size()) * chip.rows * chip.cols);
}

}  // namespace

GraphMapping map_graph(const Graph& g, const ChipShape& chip, const MappingOptions& opt) {
  const std::string unknown = unknown_copied_layer(g, opt);
  if (!unknown.empty()) {
    throw Error(g.source + ": no analog layer named '" + unknown +
                "' to replicate (analog layers are the Conv, Gemm and MatMul nodes)");
  }
  GraphMapping m;
  m.arrays_available = chip.tiles * chip.cores_per_tile;
  m.rows = chip.rows;
  m.cols = chip.cols;
  m.levels = chip.levels;
  m.layer_of_node.assign(g.nodes.size(), -1);
  // 1. The matrices, the packing of small groups, the copies.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].op != GraphOp::Conv && g.nodes[i].op != GraphOp::Dense) continue;
    GraphLayer l = make_layer(g, i, chip, opt);
    m.weights += l.weights;
    m.macs_per_image += l.weights * l.pixels;
    m.layer_of_node[i] = int(m.layers.size());
    m.layers.push_back(l);
  }
  int needed = 0;
  for (const GraphLayer& l : m.layers) {
    const int units = int(ceil_div(uint64_t(l.groups), uint64_t(l.pack)));
    needed += l.replicas * units * l.row_blocks * l.col_blocks * chip.levels;
  }
  if (needed > m.arrays_available) {
    throw Error(g.source + ": the network needs " + std::to_string(needed) + " arrays of " +
                std::to_string(chip.rows) + "x" + std::to_string(chip.cols) + ", the chip has " +
                std::to_string(m.arrays_available) + " (" + std::to_string(chip.tiles) +
                " tiles x " + std::to_string(chip.cores_per_tile) +
                " cores): " + std::to_string(needed - m.arrays_available) + " missing");
  }
  // 2. Blocks onto cores, in order.
  int next = 0;
  for (size_t li = 0; li < m.layers.size(); ++li) place_layer(m, li, chip, next);
  return m;
}

namespace {
/// Element (row, col) of group @p group's matrix of layer @p l (rows = inputs, columns =
/// outputs), read from the node's weights in place. Dense weights are inputs x outputs
/// already; conv weight [M, C/g, kh, kw]: row (c, i, j) -> c * kh * kw + i * kw + j, column m
/// of the group.
float layer_weight(const GraphNode& n, const GraphLayer& l, int group, int64_t row, int64_t col) {
  if (n.op == GraphOp::Dense) return n.weight.data[size_t(row * l.cols + col)];
  return n.weight.data[size_t((int64_t(group) * l.cols + col) * l.rows + row)];
}
}  // namespace

std::vector<float> layer_matrix(const Graph& g, const GraphLayer& l, int group) {
  const GraphNode& n = g.nodes[size_t(l.node)];
  std::vector<float> w(size_t(l.rows * l.cols));
  for (int64_t r = 0; r < l.rows; ++r)
    for (int64_t c = 0; c < l.cols; ++c)
      w[size_t(r * l.cols + c)] = layer_weight(n, l, group, r, c);
  return w;
}

std::vector<float> block_weights(const Graph& g, const GraphMapping& m, const GraphBlock& b) {
  // Each array reads its elements in place (building the layer's matrix for each of its arrays
  // made mapping quadratic in the layer's size).
  const GraphLayer& l = m.layers[size_t(b.layer)];
  const GraphNode& n = g.nodes[size_t(l.node)];
  const int rows_g = b.rows / b.packed, cols_g = b.cols / b.packed;
  std::vector<float> w(size_t(b.rows) * size_t(b.cols), 0.0f);
  for (int j = 0; j < b.packed; ++j) {
    for (int r = 0; r < rows_g; ++r) {
      float* dst = w.data() + size_t(j * rows_g + r) * size_t(b.cols) + size_t(j * cols_g);
      for (int c = 0; c < cols_g; ++c)
        dst[c] = layer_weight(n, l, b.group + j, b.row0 + r, b.col0 + c);
    }
  }
  return w;
}

std::string mapping_report(const Graph& g, const GraphMapping& m) {
  std::ostringstream os;
  os << "  " << std::left << std::setw(28) << "node" << std::setw(20) << "op" << std::setw(12)
     << "runs on" << std::setw(12) << "matrix" << std::right << std::setw(7) << "groups"
     << std::setw(6) << "pack" << std::setw(7) << "copies" << std::setw(8) << "pixels"
     << std::setw(8) << "arrays" << std::setw(8) << "util %"
     << "\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    os << "  " << std::left << std::setw(28) << n.name.substr(0, 27) << std::setw(20)
       << n.onnx_op.substr(0, 19);
    const int li = m.layer_of_node[i];
    if (li < 0) {
      os << "digital\n";
      continue;
    }
    const GraphLayer& l = m.layers[size_t(li)];
    os << std::setw(12) << "arrays" << std::setw(12)
       << (std::to_string(l.rows) + "x" + std::to_string(l.cols)) << std::right << std::setw(7)
       << l.groups << std::setw(6) << l.pack << std::setw(7) << l.replicas << std::setw(8)
       << l.pixels << std::setw(8) << l.blocks.size() << std::setw(8) << std::fixed
       << std::setprecision(1) << 100.0 * l.utilization << "\n";
  }
  os << "  " << m.blocks.size() << " of " << m.arrays_available << " arrays of " << m.rows << "x"
     << m.cols << " used, cell utilization " << std::fixed << std::setprecision(1)
     << 100.0 * m.cell_utilization() << " %\n";
  return os.str();
}

}  // namespace pcmsim
