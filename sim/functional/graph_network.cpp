#include "sim/functional/graph_network.h"

#include <algorithm>
#include <cmath>

namespace pcmsim {

ArrayBank GraphAnalogNetwork::program(const Graph& g, const GraphMapping& map,
                                      const DeviceModel& device, const MvmNumerics& numerics,
                                      const WeightEncoding& encoding, uint64_t seed) {
  std::vector<BlockSpec> specs;
  for (size_t li = 0; li < map.layers.size(); ++li) {
    const GraphLayer& l = map.layers[li];
    double w_max, w_std;
    ArrayBank::weight_stats(g.nodes[size_t(l.node)].weight.data, &w_max, &w_std);
    for (int bi : l.blocks) {
      const GraphBlock& b = map.blocks[size_t(bi)];
      specs.push_back({uint32_t(li), uint32_t(b.index), b.level, b.rows, b.cols,
                       b.level == 0 ? block_weights(g, map, b) : std::vector<float>{}, w_max,
                       w_std});
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
      m_costs(map.layers.size()),
      m_basis(map.layers.size()),
      m_codes(map.layers.size()),
      m_mvms(map.layers.size(), 0) {}

const float* GraphAnalogNetwork::gather(const GraphLayer& l, const GraphBlock& blk,
                                        const std::vector<float>& in, int64_t p) {
  // Rows row0.. of the patch of pixel p of each group on the block (im2col, zeros in the
  // padding); a dense layer's rows are its input's.
  const GraphNode& n = m_g.nodes[size_t(l.node)];
  if (n.op != GraphOp::Conv) return in.data() + blk.row0;
  const Shape& in_shape = m_g.values[size_t(n.inputs[0])].shape;
  const Shape& out_shape = m_g.values[size_t(n.output)].shape;
  const int64_t H = in_shape[1], W = in_shape[2], OW = out_shape[2], cg = in_shape[0] / n.group;
  const int64_t oh = p / OW, ow = p % OW;
  const int kh = n.kernel[0], kw = n.kernel[1], kk = kh * kw;
  const int rows_g = blk.rows / blk.packed;
  m_patch.resize(size_t(blk.rows));
  for (int j = 0; j < blk.packed; ++j) {
    const float* group_in = in.data() + int64_t(blk.group + j) * cg * H * W;
    for (int r = 0; r < rows_g; ++r) {
      const int row = blk.row0 + r, c = row / kk, i = (row / kw) % kh, jj = row % kw;
      const int64_t h = window_input(n, 0, oh, i), w = window_input(n, 1, ow, jj);
      m_patch[size_t(j * rows_g + r)] =
          (h >= 0 && h < H && w >= 0 && w < W) ? group_in[(c * H + h) * W + w] : 0.0f;
    }
  }
  return m_patch.data();
}

void GraphAnalogNetwork::add_psum(int li, size_t at, float v, std::vector<float>& out) {
  // Partial sums add up in the layer's fixed-point format, saturating (float without one).
  const FixedFormat& f = m_datapath.psums.empty() ? FixedFormat{} : m_datapath.psums[size_t(li)];
  if (!f.quantized()) {
    out[at] += v;
    return;
  }
  int64_t& acc = m_psum_acc[at];
  acc += int64_t(std::nearbyint(double(v) / f.lsb));
  if (acc > f.hi || acc < f.lo) {
    acc = std::clamp(acc, f.lo, f.hi);
    ++m_psum_saturations;
  }
}

void GraphAnalogNetwork::run_analog(int li, const std::vector<float>& in, std::vector<float>& out) {
  const GraphLayer& l = m_map.layers[size_t(li)];
  const GraphNode& n = m_g.nodes[size_t(l.node)];
  out.assign(size_t(numel(m_g.values[size_t(n.output)].shape)), 0.0f);
  const FixedFormat& fmt = m_datapath.psums.empty() ? FixedFormat{} : m_datapath.psums[size_t(li)];
  if (fmt.quantized()) m_psum_acc.assign(out.size(), 0);
  const size_t per_copy = size_t(l.arrays_per_replica());
  std::vector<MvmCost>& costs = m_costs[size_t(li)];
  std::vector<double>& basis = m_basis[size_t(li)];
  ReadCodes& codes = m_codes[size_t(li)];
  if (m_keep_work) {
    costs.assign(l.blocks.size() * size_t(l.pixels), MvmCost{});
    basis.assign(costs.size(), 0.0);
    codes.clear();
  }
  for (int64_t p = 0; p < l.pixels; ++p) {
    const size_t copy = size_t(p % l.replicas);
    const uint64_t slot = uint64_t(m_image) * uint64_t(l.pixels) + uint64_t(p);
    for (size_t k = copy * per_copy; k < (copy + 1) * per_copy; ++k) {
      const int b = l.blocks[k];
      const GraphBlock& blk = m_map.blocks[size_t(b)];
      const int cols_g = blk.cols / blk.packed;
      // 1. The input vector, 2. its MVM, 3. the partial sums added in block order.
      const float* x = gather(l, blk, in, p);
      m_partial.resize(size_t(blk.cols));
      const uint32_t code0 = uint32_t(codes.size());
      const MvmResult res =
          m_bank.mvm(size_t(b), x, m_partial.data(), slot, m_keep_work ? &codes : nullptr);
      m_mvms[size_t(li)] += uint64_t(res.passes);
      if (m_keep_work) {
        costs[k * size_t(l.pixels) + size_t(p)] = {uint16_t(res.passes), uint16_t(res.reads),
                                                   code0};
        basis[k * size_t(l.pixels) + size_t(p)] = res.read_basis;
      }
      for (int j = 0; j < blk.packed; ++j) {
        for (int c = 0; c < cols_g; ++c) {
          const int64_t m = int64_t(blk.group + j) * l.cols + blk.col0 + c;
          add_psum(li, size_t(m * l.pixels + p), m_partial[size_t(j * cols_g + c)], out);
        }
      }
    }
  }
  // 4. The bias, digitally (in the partial sums' format when they have one).
  if (!n.bias.data.empty()) {
    const int64_t channels = int64_t(n.bias.data.size());
    for (int64_t m = 0; m < channels; ++m)
      for (int64_t p = 0; p < l.pixels; ++p)
        add_psum(li, size_t(m * l.pixels + p), n.bias.data[size_t(m)], out);
  }
  if (fmt.quantized())
    for (size_t k = 0; k < out.size(); ++k) out[k] = float(double(m_psum_acc[k]) * fmt.lsb);
}

void GraphAnalogNetwork::begin(const float* x, int64_t image) {
  m_image = image;
  m_values.resize(m_g.values.size());
  m_values[size_t(m_g.input)].assign(x, x + numel(m_g.input_shape()));
  std::fill(m_mvms.begin(), m_mvms.end(), 0);
}

void GraphAnalogNetwork::run_node(int i) {
  const GraphNode& n = m_g.nodes[size_t(i)];
  const int li = m_map.layer_of_node[size_t(i)];
  if (li >= 0) {
    run_analog(li, m_values[size_t(n.inputs[0])], m_values[size_t(n.output)]);
    quantize_output(n.output);
    return;
  }
  std::vector<const std::vector<float>*> in;
  for (int v : n.inputs) in.push_back(&m_values[size_t(v)]);
  eval_node(m_g, n, in, m_values[size_t(n.output)]);
  quantize_output(n.output);
}

void GraphAnalogNetwork::quantize_output(int v) {
  // A value leaving its tile: rounded to the activation format of the digital unit.
  if (m_datapath.activations.empty()) return;
  const FixedFormat& f = m_datapath.activations[size_t(v)];
  if (!f.quantized()) return;
  for (float& x : m_values[size_t(v)]) x = to_format(x, f, m_activation_clips);
}

void GraphAnalogNetwork::forward(const float* x, int64_t image, std::vector<float>& out) {
  begin(x, image);
  for (size_t i = 0; i < m_g.nodes.size(); ++i) run_node(int(i));
  out = m_values[size_t(m_g.output)];
}

}  // namespace pcmsim
