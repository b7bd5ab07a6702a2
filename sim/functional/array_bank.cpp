#include "sim/functional/array_bank.h"

#include <algorithm>
#include <cmath>

#include "sim/base/parallel.h"

namespace pcmsim {

namespace {
// Output-noise draw indices: MVMs of images first; compensation readouts far above any of them.
constexpr uint64_t kReadoutBase = uint64_t(1) << 50;
}  // namespace

void ArrayBank::weight_stats(const std::vector<float>& w, double* max_abs, double* std) {
  const double m = abs_max(w.data(), w.size());
  double s = 0, s2 = 0;
  for (float v : w) {
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
      m_arrays(m_specs.size()),
      m_comp_work(m_specs.size()),
      m_comp_codes(m_specs.size()) {
  const bool exact = numerics.ideal || device.exact();
  // Weight blocks (a level-0 array and the higher levels after it) program independently, on
  // the default threads: every draw is keyed by (seed, layer, index).
  std::vector<size_t> starts;
  for (size_t i = 0; i < m_specs.size(); ++i)
    if (m_specs[i].level == 0 || starts.empty()) starts.push_back(i);
  parallel_for(starts.size(), [&](size_t k, int) {
    const size_t first = starts[k], last = k + 1 < starts.size() ? starts[k + 1] : m_specs.size();
    const std::vector<float>& weights = m_specs[first].weights;
    const float w_max = abs_max(weights.data(), weights.size());
    const std::vector<double> fs = encoding.full_scales(w_max);
    // Significance: the residual the levels so far left.
    std::vector<float> residual;
    if (encoding.mode == WeightEncoding::Mode::Significance) residual = weights;
    for (size_t i = first; i < last; ++i) {
      const BlockSpec& b = m_specs[i];
      const size_t n = size_t(b.rows) * size_t(b.cols);
      // What this level holds: the weights (single), the residual left by the levels before
      // (significance), or its digit (bit slices).
      std::vector<float> slice;
      if (encoding.mode == WeightEncoding::Mode::BitSlices)
        slice = encoding.slice(weights.data(), n, w_max, b.level);
      const float* target = encoding.mode == WeightEncoding::Mode::BitSlices      ? slice.data()
                            : encoding.mode == WeightEncoding::Mode::Significance ? residual.data()
                                                                                  : weights.data();
      ProgramContext ctx{DrawKey{seed, b.layer, b.index}, 1.0, w_max, b.layer_w_max, b.layer_w_std};
      // Single: the block's own max |w| (known here: the array need not find it again).
      const double full_scale =
          encoding.mode == WeightEncoding::Mode::Single ? w_max : fs[size_t(b.level)];
      m_arrays[i] = std::make_unique<ProgrammedArray>(target, b.rows, b.cols, device, ctx, exact,
                                                      full_scale, numerics.ir_drop > 0.0);
      if (encoding.mode == WeightEncoding::Mode::Significance) {
        // Closed loop: the next level programs what this one missed.
        std::vector<float> held = m_arrays[i]->programmed_weights();
        for (size_t j = 0; j < n; ++j) residual[j] -= held[j];
      }
    }
  });
  for (const BlockSpec& b : m_specs)
    m_noise.emplace_back(seed, DrawKind::OutputNoise, b.layer, b.index);
  for (BlockSpec& b : m_specs) std::vector<float>().swap(b.weights);  // programmed: not needed
}

void ArrayBank::prepare(double t_s, Compensation comp, uint64_t eval_seed) {
  // Each array on its own (keyed draws), on the default threads.
  for (size_t i = 0; i < m_arrays.size(); ++i) {
    const BlockSpec& b = m_specs[i];
    m_noise[i] = RngStream(eval_seed, DrawKind::OutputNoise, b.layer, b.index);
  }
  parallel_for(m_arrays.size(), [&](size_t i, int) {
    const BlockSpec& b = m_specs[i];
    ProgrammedArray& a = *m_arrays[i];
    const DrawKey read_key{eval_seed, b.layer, b.index};
    m_comp_work[i] = MvmResult{};
    m_comp_codes[i].clear();
    a.set_compensation({});
    if (comp == Compensation::None || comp == Compensation::BatchNorm) {  // no array readouts
      a.read_at(t_s, read_key);
      return;
    }
    // Reference on the programmed state, then the same readout at t (aihwkit's order).
    a.use_programmed();
    std::vector<double> ref =
        a.one_hot_readout(m_num, m_noise[i], kReadoutBase, m_comp_work[i], &m_comp_codes[i]);
    a.read_at(t_s, read_key);
    std::vector<double> cur =
        a.one_hot_readout(m_num, m_noise[i], kReadoutBase * 2, m_comp_work[i], &m_comp_codes[i]);
    a.set_compensation(compensation_factors(comp, ref, cur));
  });
}

namespace {
/// Output-noise draws one MVM may take: every pass and phase draws one per column.
uint64_t draws_per_mvm(const MvmNumerics& num, int cols) {
  return uint64_t(std::max(1, num.max_passes)) * uint64_t(std::max(1, num.phases)) * uint64_t(cols);
}
}  // namespace

void ArrayBank::mvm_batch(size_t b, const float* x, int n, int ld_x, float* y, int ld_y,
                          const uint64_t* slots, MvmResult* res, ReadCodes* codes,
                          uint32_t* code_start, bool basis) const {
  const uint64_t stride = draws_per_mvm(m_num, m_specs[b].cols);
  thread_local std::vector<uint64_t> index;
  index.resize(size_t(n));
  for (int v = 0; v < n; ++v) index[size_t(v)] = slots[v] * stride;
  m_arrays[b]->mvm_batch(x, n, ld_x, y, ld_y, m_num, m_noise[b], index.data(), res, codes,
                         code_start, basis);
}

}  // namespace pcmsim
