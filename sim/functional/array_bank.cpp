#include "sim/functional/array_bank.h"

#include <algorithm>
#include <cmath>

namespace pcmsim {

namespace {
// Output-noise draw indices: MVMs of images first; compensation readouts far above any of them.
constexpr uint64_t kReadoutBase = uint64_t(1) << 50;
}  // namespace

void ArrayBank::weight_stats(const std::vector<float>& w, double* max_abs, double* std) {
  double m = 0, s = 0, s2 = 0;
  for (float v : w) {
    m = std::max(m, double(std::fabs(v)));
    s += v;
    s2 += double(v) * v;
  }
  const double n = double(std::max<size_t>(1, w.size())), mean = s / n;
  *max_abs = m;
  *std = std::sqrt(std::max(0.0, s2 / n - mean * mean));
}

ArrayBank::ArrayBank(std::vector<BlockSpec> blocks, const DeviceModel& device,
                     const MvmNumerics& numerics, const WeightEncoding& encoding, uint64_t seed)
    : m_specs(std::move(blocks)),
      m_num(numerics),
      m_comp_work(m_specs.size()),
      m_comp_codes(m_specs.size()) {
  const bool exact = numerics.ideal || device.exact();
  std::vector<float> residual;
  const std::vector<float>* weights = nullptr;  // of the current weight block
  float w_max = 0.0f;
  for (const BlockSpec& b : m_specs) {
    const size_t n = size_t(b.rows) * size_t(b.cols);
    if (b.level == 0) {  // a new weight block
      weights = &b.weights;
      residual = b.weights;
      w_max = 0.0f;
      for (float v : residual) w_max = std::max(w_max, std::fabs(v));
    }
    const std::vector<double> fs = encoding.full_scales(w_max);
    // What this level holds: the weights (single), the residual left by the levels before
    // (significance), or its digit (bit slices).
    std::vector<float> target = encoding.mode == WeightEncoding::Mode::BitSlices
                                    ? encoding.slice(weights->data(), n, w_max, b.level)
                                    : residual;
    ProgramContext ctx{DrawKey{seed, b.layer, b.index}, 1.0, w_max, b.layer_w_max, b.layer_w_std};
    const double full_scale =
        encoding.mode == WeightEncoding::Mode::Single ? 0.0 : fs[size_t(b.level)];
    m_arrays.push_back(std::make_unique<ProgrammedArray>(
        target.data(), b.rows, b.cols, device, ctx, exact, full_scale, numerics.ir_drop > 0.0));
    if (encoding.mode == WeightEncoding::Mode::Significance) {
      // Closed loop: the next level programs what this one missed.
      std::vector<float> held = m_arrays.back()->programmed_weights();
      for (size_t k = 0; k < n; ++k) residual[k] -= held[k];
    }
    m_noise.emplace_back(seed, DrawKind::OutputNoise, b.layer, b.index);
  }
  for (BlockSpec& b : m_specs) std::vector<float>().swap(b.weights);  // programmed: not needed
}

void ArrayBank::prepare(double t_s, Compensation comp, uint64_t eval_seed) {
  for (size_t i = 0; i < m_arrays.size(); ++i) {
    const BlockSpec& b = m_specs[i];
    ProgrammedArray& a = *m_arrays[i];
    m_noise[i] = RngStream(eval_seed, DrawKind::OutputNoise, b.layer, b.index);
    const DrawKey read_key{eval_seed, b.layer, b.index};
    m_comp_work[i] = MvmResult{};
    m_comp_codes[i].clear();
    a.set_compensation({});
    if (comp == Compensation::None) {
      a.read_at(t_s, read_key);
      continue;
    }
    // Reference on the programmed state, then the same readout at t (aihwkit's order).
    a.use_programmed();
    std::vector<double> ref =
        a.one_hot_readout(m_num, m_noise[i], kReadoutBase, m_comp_work[i], &m_comp_codes[i]);
    a.read_at(t_s, read_key);
    std::vector<double> cur =
        a.one_hot_readout(m_num, m_noise[i], kReadoutBase * 2, m_comp_work[i], &m_comp_codes[i]);
    a.set_compensation(compensation_factors(comp, ref, cur));
  }
}

MvmResult ArrayBank::mvm(size_t b, const float* x, float* y, uint64_t slot,
                         ReadCodes* codes) const {
  const uint64_t stride = uint64_t(std::max(1, m_num.max_passes)) *
                          uint64_t(std::max(1, m_num.phases)) * uint64_t(m_specs[b].cols);
  return m_arrays[b]->mvm(x, y, m_num, m_noise[b], slot * stride, codes);
}

}  // namespace pcmsim
