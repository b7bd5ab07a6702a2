#pragma once
// The numerics of a mapped network on analog arrays, without timing: programming, reads at a
// time after programming, drift compensation, one array-block MVM, the digital combine step.
// The SystemC chip calls these at its commit points (full mode); forward() calls them in the
// same order without the kernel (functional mode). Both give bit-identical outputs.

#include <cstdint>
#include <memory>
#include <vector>

#include "models/circuits/crossbar.h"
#include "models/circuits/encoding.h"
#include "models/device/device_model.h"
#include "workloads/mapper.h"
#include "workloads/network.h"

namespace pcmsim {

class AnalogNetwork {
 public:
  /// @brief Programs every array block of @p map with @p encoding (the levels of one weight
  /// block on adjacent blocks, most significant first); draws keyed by (@p seed, layer, block).
  AnalogNetwork(const Network& net, const Mapping& map, const DeviceModel& device,
                const MvmNumerics& numerics, const WeightEncoding& encoding, uint64_t seed);

  /// @brief Makes the conductances @p t_s seconds after programming current and sets the drift
  /// compensation. Read noise and output noise are keyed by @p eval_seed. The compensation
  /// readouts (reference on the programmed state, then at @p t_s) are recorded per block.
  void prepare(double t_s, Compensation comp, uint64_t eval_seed);

  /// @brief One MVM of block @p b on the layer input @p x for image @p image; the partial sums
  /// go to partial(b).
  MvmResult block_mvm(int b, const float* layer_input, int64_t image);
  /// @brief The digital step of mapped layer @p l: partial sums in block order, bias, activation.
  void combine(int l, std::vector<float>& out) const;
  /// @brief The whole network on one input (functional mode).
  void forward(const float* x, int64_t image, std::vector<float>& out);

  const std::vector<float>& partial(int b) const { return m_partials[size_t(b)]; }
  /// @brief MVM work of the drift-compensation readouts of block @p b in the last prepare().
  const MvmResult& compensation_work(int b) const { return m_comp_work[size_t(b)]; }
  Compensation compensation() const { return m_comp; }
  const MvmNumerics& numerics() const { return m_num; }
  const Mapping& mapping() const { return m_map; }

 private:
  const Network& m_net;
  const Mapping& m_map;
  MvmNumerics m_num;
  uint64_t m_seed;
  Compensation m_comp = Compensation::None;
  std::vector<std::unique_ptr<ProgrammedArray>> m_arrays;
  std::vector<RngStream> m_noise;  ///< output-noise stream per block
  std::vector<std::vector<float>> m_partials;
  std::vector<MvmResult> m_comp_work;
  std::vector<float> m_act, m_next;
};

}  // namespace pcmsim
