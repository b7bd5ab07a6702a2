#pragma once
// The numerics of a mapped chain of fully connected layers, without timing: the programmed
// arrays (ArrayBank), one array-block MVM, the digital combine step. The SystemC chip calls these
// at its commit points (full mode); forward() calls them in the same order without the kernel
// (functional mode). Both give bit-identical outputs.

#include <cstdint>
#include <vector>

#include "sim/hw/array_bank.h"
#include "workloads/mapper.h"
#include "workloads/network.h"

namespace pcmsim {

class AnalogNetwork {
 public:
  /// @brief Programs every array block of @p map with @p encoding (the levels of one weight
  /// block on adjacent blocks, most significant first); draws keyed by (@p seed, layer, block).
  AnalogNetwork(const Network& net, const Mapping& map, const DeviceModel& device,
                const MvmNumerics& numerics, const WeightEncoding& encoding, uint64_t seed);

  /// @brief See ArrayBank::prepare.
  void prepare(double t_s, Compensation comp, uint64_t eval_seed) {
    m_comp = comp;
    m_bank.prepare(t_s, comp, eval_seed);
  }
  /// @brief One MVM of block @p b on the layer input @p x for image @p image; the partial sums
  /// go to partial(b).
  MvmResult block_mvm(int b, const float* layer_input, int64_t image);
  /// @brief The digital step of mapped layer @p l: partial sums in block order, bias, activation.
  void combine(int l, std::vector<float>& out) const;
  /// @brief The whole network on one input (functional mode).
  void forward(const float* x, int64_t image, std::vector<float>& out);

  const std::vector<float>& partial(int b) const { return m_partials[size_t(b)]; }
  const MvmResult& compensation_work(int b) const { return m_bank.compensation_work(size_t(b)); }
  Compensation compensation() const { return m_comp; }
  const MvmNumerics& numerics() const { return m_bank.numerics(); }
  const Mapping& mapping() const { return m_map; }

 private:
  static ArrayBank program(const Network& net, const Mapping& map, const DeviceModel& device,
                           const MvmNumerics& numerics, const WeightEncoding& encoding,
                           uint64_t seed);
  const Network& m_net;
  const Mapping& m_map;
  ArrayBank m_bank;
  Compensation m_comp = Compensation::None;
  std::vector<std::vector<float>> m_partials;
  std::vector<float> m_act, m_next;
};

}  // namespace pcmsim
