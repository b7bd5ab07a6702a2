#include "sim/hw/analog_network.h"

#include <algorithm>
#include <cmath>

namespace pcmsim {

ArrayBank AnalogNetwork::program(const Network& net, const Mapping& map, const DeviceModel& device,
                                 const MvmNumerics& numerics, const WeightEncoding& encoding,
                                 uint64_t seed) {
  std::vector<double> layer_max(map.layers.size()), layer_std(map.layers.size());
  for (size_t l = 0; l < map.layers.size(); ++l) {
    ArrayBank::weight_stats(net.layers[size_t(map.layers[l].net_layer)].weight, &layer_max[l],
                            &layer_std[l]);
  }
  std::vector<BlockSpec> specs;
  for (const ArrayBlock& b : map.blocks) {
    const Layer& l = net.layers[size_t(map.layers[size_t(b.layer)].net_layer)];
    specs.push_back(
        {uint32_t(b.layer), uint32_t(b.index), b.level, b.rows, b.cols,
         b.level == 0 ? ArrayBank::sub_block(l.weight.data(), l.out, b.row0, b.col0, b.rows, b.cols)
                      : std::vector<float>{},
         layer_max[size_t(b.layer)], layer_std[size_t(b.layer)]});
  }
  return ArrayBank(std::move(specs), device, numerics, encoding, seed);
}

AnalogNetwork::AnalogNetwork(const Network& net, const Mapping& map, const DeviceModel& device,
                             const MvmNumerics& numerics, const WeightEncoding& encoding,
                             uint64_t seed)
    : m_net(net), m_map(map), m_bank(program(net, map, device, numerics, encoding, seed)) {
  for (const ArrayBlock& b : map.blocks) m_partials.emplace_back(size_t(b.cols), 0.0f);
}

MvmResult AnalogNetwork::block_mvm(int b, const float* layer_input, int64_t image) {
  const ArrayBlock& blk = m_map.blocks[size_t(b)];
  return m_bank.mvm(size_t(b), layer_input + blk.row0, m_partials[size_t(b)].data(),
                    uint64_t(image));
}

void AnalogNetwork::combine(int l, std::vector<float>& out) const {
  const MappedLayer& ml = m_map.layers[size_t(l)];
  const Layer& layer = m_net.layers[size_t(ml.net_layer)];
  out.assign(size_t(ml.out), 0.0f);
  for (int b : ml.blocks) {
    const ArrayBlock& blk = m_map.blocks[size_t(b)];
    const std::vector<float>& p = m_partials[size_t(b)];
    for (int c = 0; c < blk.cols; ++c) out[size_t(blk.col0 + c)] += p[size_t(c)];
  }
  if (!layer.bias.empty())
    for (int64_t o = 0; o < ml.out; ++o) out[size_t(o)] += layer.bias[size_t(o)];
  if (ml.relu)
    for (float& v : out) v = std::max(v, 0.0f);
}

void AnalogNetwork::forward(const float* x, int64_t image, std::vector<float>& out) {
  m_act.assign(x, x + m_net.input_size());
  for (size_t l = 0; l < m_map.layers.size(); ++l) {
    for (int b : m_map.layers[l].blocks) block_mvm(b, m_act.data(), image);
    combine(int(l), m_next);
    m_act.swap(m_next);
  }
  out = m_act;
}

}  // namespace pcmsim
