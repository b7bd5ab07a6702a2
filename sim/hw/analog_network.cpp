#include "sim/hw/analog_network.h"

#include <algorithm>
#include <cmath>

namespace pcmsim {

namespace {
// Output-noise draw indices: images first; compensation readouts far above any image.
constexpr uint64_t kReadoutBase = uint64_t(1) << 50;
}  // namespace

AnalogNetwork::AnalogNetwork(const Network& net, const Mapping& map, const DeviceModel& device,
                             const MvmNumerics& numerics, const WeightEncoding& encoding,
                             uint64_t seed)
    : m_net(net), m_map(map), m_num(numerics), m_seed(seed), m_comp_work(map.blocks.size()) {
  const bool exact = numerics.ideal || device.exact();
  // Weight statistics per mapped layer, for device models whose noise is relative to them.
  std::vector<double> layer_max(map.layers.size(), 0.0), layer_std(map.layers.size(), 0.0);
  for (size_t l = 0; l < map.layers.size(); ++l) {
    const std::vector<float>& w = net.layers[size_t(map.layers[l].net_layer)].weight;
    double s = 0, s2 = 0;
    for (float v : w) {
      layer_max[l] = std::max(layer_max[l], double(std::fabs(v)));
      s += v;
      s2 += double(v) * v;
    }
    double mean = s / double(w.size());
    layer_std[l] = std::sqrt(std::max(0.0, s2 / double(w.size()) - mean * mean));
  }
  m_arrays.resize(map.blocks.size());
  std::vector<float> w, residual;
  for (size_t i = 0; i < map.blocks.size(); ++i) {
    const ArrayBlock& b = map.blocks[i];
    if (b.level == 0) {
      // The block's weights; level 0 starts a new block of the weight matrix.
      const Layer& l = net.layers[size_t(map.layers[size_t(b.layer)].net_layer)];
      w.assign(size_t(b.rows) * b.cols, 0.0f);
      for (int r = 0; r < b.rows; ++r)
        for (int c = 0; c < b.cols; ++c)
          w[size_t(r) * b.cols + c] =
              l.weight[size_t(b.row0 + r) * size_t(l.out) + size_t(b.col0 + c)];
      residual = w;
    }
    float w_max = 0.0f;
    for (float v : w) w_max = std::max(w_max, std::fabs(v));
    const std::vector<double> fs = encoding.full_scales(w_max);
    // What this level holds: the weights (single), the residual left by the levels before
    // (significance), or its digit (bit slices).
    std::vector<float> target = encoding.mode == WeightEncoding::Mode::BitSlices
                                    ? encoding.slice(w.data(), w.size(), w_max, b.level)
                                    : residual;
    ProgramContext ctx{DrawKey{seed, uint32_t(b.layer), uint32_t(b.index)}, 1.0, w_max,
                       layer_max[size_t(b.layer)], layer_std[size_t(b.layer)]};
    const double full_scale =
        encoding.mode == WeightEncoding::Mode::Single ? 0.0 : fs[size_t(b.level)];
    m_arrays[i] = std::make_unique<ProgrammedArray>(target.data(), b.rows, b.cols, device, ctx,
                                                    exact, full_scale, numerics.ir_drop > 0.0);
    if (encoding.mode == WeightEncoding::Mode::Significance) {
      // Closed loop: the next level programs what this one missed.
      std::vector<float> held = m_arrays[i]->programmed_weights();
      for (size_t k = 0; k < residual.size(); ++k) residual[k] -= held[k];
    }
    m_partials.emplace_back(size_t(b.cols), 0.0f);
    m_noise.emplace_back(seed, DrawKind::OutputNoise, uint32_t(b.layer), uint32_t(b.index));
  }
}

void AnalogNetwork::prepare(double t_s, Compensation comp, uint64_t eval_seed) {
  m_comp = comp;
  for (size_t i = 0; i < m_map.blocks.size(); ++i) {
    const ArrayBlock& b = m_map.blocks[i];
    ProgrammedArray& a = *m_arrays[i];
    m_noise[i] = RngStream(eval_seed, DrawKind::OutputNoise, uint32_t(b.layer), uint32_t(b.index));
    DrawKey read_key{eval_seed, uint32_t(b.layer), uint32_t(b.index)};
    m_comp_work[i] = MvmResult{};
    a.set_compensation({});
    if (comp == Compensation::None) {
      a.read_at(t_s, read_key);
      continue;
    }
    // Reference on the programmed state, then the same readout at t (aihwkit's order).
    a.use_programmed();
    std::vector<double> ref = a.one_hot_readout(m_num, m_noise[i], kReadoutBase, m_comp_work[i]);
    a.read_at(t_s, read_key);
    std::vector<double> cur =
        a.one_hot_readout(m_num, m_noise[i], kReadoutBase * 2, m_comp_work[i]);
    a.set_compensation(compensation_factors(comp, ref, cur));
  }
}

MvmResult AnalogNetwork::block_mvm(int b, const float* layer_input, int64_t image) {
  const ArrayBlock& blk = m_map.blocks[size_t(b)];
  const uint64_t stride = uint64_t(std::max(1, m_num.max_passes)) * uint64_t(blk.cols);
  return m_arrays[size_t(b)]->mvm(layer_input + blk.row0, m_partials[size_t(b)].data(), m_num,
                                  m_noise[size_t(b)], uint64_t(image) * stride);
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
