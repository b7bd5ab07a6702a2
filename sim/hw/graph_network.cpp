#include "sim/hw/graph_network.h"

#include <algorithm>

namespace pcmsim {

ArrayBank GraphAnalogNetwork::program(const Graph& g, const GraphMapping& map,
                                      const DeviceModel& device, const MvmNumerics& numerics,
                                      const WeightEncoding& encoding, uint64_t seed) {
  std::vector<BlockSpec> specs;
  for (size_t li = 0; li < map.layers.size(); ++li) {
    const GraphLayer& l = map.layers[li];
    double w_max, w_std;
    ArrayBank::weight_stats(g.nodes[size_t(l.node)].weight.data, &w_max, &w_std);
    int group = -1;
    std::vector<float> matrix;
    for (int bi : l.blocks) {
      const GraphBlock& b = map.blocks[size_t(bi)];
      if (b.group != group) {
        group = b.group;
        matrix = layer_matrix(g, l, group);
      }
      specs.push_back({uint32_t(li), uint32_t(b.index), b.level, b.rows, b.cols,
                       b.level == 0 ? ArrayBank::sub_block(matrix.data(), l.cols, b.row0, b.col0,
                                                           b.rows, b.cols)
                                    : std::vector<float>{},
                       w_max, w_std});
    }
  }
  return ArrayBank(std::move(specs), device, numerics, encoding, seed);
}

GraphAnalogNetwork::GraphAnalogNetwork(const Graph& g, const GraphMapping& map,
                                       const DeviceModel& device, const MvmNumerics& numerics,
                                       const WeightEncoding& encoding, uint64_t seed)
    : m_g(g),
      m_map(map),
      m_bank(program(g, map, device, numerics, encoding, seed)),
      m_mvms(map.layers.size(), 0) {
  for (const GraphLayer& l : map.layers) {
    std::vector<std::vector<int>> groups(size_t(l.groups));
    for (int b : l.blocks) groups[size_t(map.blocks[size_t(b)].group)].push_back(b);
    m_group_blocks.push_back(std::move(groups));
  }
}

void GraphAnalogNetwork::run_analog(int li, const std::vector<float>& in, std::vector<float>& out,
                                    int64_t image) {
  const GraphLayer& l = m_map.layers[size_t(li)];
  const GraphNode& n = m_g.nodes[size_t(l.node)];
  const Shape& out_shape = m_g.values[size_t(n.output)].shape;
  out.assign(size_t(numel(out_shape)), 0.0f);
  m_patch.resize(size_t(l.rows));
  const bool conv = n.op == GraphOp::Conv;
  const Shape& in_shape = m_g.values[size_t(n.inputs[0])].shape;
  const int64_t H = conv ? in_shape[1] : 1, W = conv ? in_shape[2] : 1;
  const int64_t OW = conv ? out_shape[2] : 1, cg = conv ? in_shape[0] / n.group : 0;
  for (int gr = 0; gr < l.groups; ++gr) {
    for (int64_t p = 0; p < l.pixels; ++p) {
      // 1. The input vector: the patch of output pixel p (im2col, zeros in the padding).
      const float* x = in.data();
      if (conv) {
        const int64_t oh = p / OW, ow = p % OW;
        size_t r = 0;
        for (int64_t c = 0; c < cg; ++c) {
          const float* plane = in.data() + (gr * cg + c) * H * W;
          for (int i = 0; i < n.kernel[0]; ++i) {
            const int64_t h = oh * n.stride[0] - n.pad[0] + int64_t(i) * n.dilation[0];
            for (int j = 0; j < n.kernel[1]; ++j, ++r) {
              const int64_t w = ow * n.stride[1] - n.pad[1] + int64_t(j) * n.dilation[1];
              m_patch[r] = (h >= 0 && h < H && w >= 0 && w < W) ? plane[h * W + w] : 0.0f;
            }
          }
        }
        x = m_patch.data();
      }
      // 2. Its MVMs, partial sums added in block order.
      const uint64_t slot = uint64_t(image) * uint64_t(l.pixels) + uint64_t(p);
      for (int b : m_group_blocks[size_t(li)][size_t(gr)]) {
        const GraphBlock& blk = m_map.blocks[size_t(b)];
        m_partial.resize(size_t(blk.cols));
        m_mvms[size_t(li)] +=
            uint64_t(m_bank.mvm(size_t(b), x + blk.row0, m_partial.data(), slot).passes);
        for (int c = 0; c < blk.cols; ++c) {
          const int64_t m = int64_t(gr) * l.cols + blk.col0 + c;
          out[size_t(m * l.pixels + p)] += m_partial[size_t(c)];
        }
      }
    }
  }
  // 3. The bias, digitally.
  if (!n.bias.data.empty()) {
    const int64_t channels = int64_t(n.bias.data.size());
    for (int64_t m = 0; m < channels; ++m)
      for (int64_t p = 0; p < l.pixels; ++p)
        out[size_t(m * l.pixels + p)] += n.bias.data[size_t(m)];
  }
}

void GraphAnalogNetwork::forward(const float* x, int64_t image, std::vector<float>& out) {
  m_values.resize(m_g.values.size());
  m_values[size_t(m_g.input)].assign(x, x + numel(m_g.input_shape()));
  std::fill(m_mvms.begin(), m_mvms.end(), 0);
  std::vector<const std::vector<float>*> in;
  for (size_t i = 0; i < m_g.nodes.size(); ++i) {
    const GraphNode& n = m_g.nodes[i];
    const int li = m_map.layer_of_node[i];
    if (li >= 0) {
      run_analog(li, m_values[size_t(n.inputs[0])], m_values[size_t(n.output)], image);
    } else {
      in.clear();
      for (int v : n.inputs) in.push_back(&m_values[size_t(v)]);
      eval_node(m_g, n, in, m_values[size_t(n.output)]);
    }
  }
  out = m_values[size_t(m_g.output)];
}

}  // namespace pcmsim
