#pragma once
// The numerics of a graph mapped onto arrays (functional mode): Conv and Dense nodes run on the
// programmed arrays — a convolution as one MVM per output pixel and group, with the input patch
// (im2col, zero padding) as the vector; the partial sums of the row blocks and encoding levels
// are added in block order, then the bias. Every other node runs digitally (eval_node, FP32).

#include <cstdint>
#include <vector>

#include "sim/hw/array_bank.h"
#include "workloads/graph.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

class GraphAnalogNetwork {
 public:
  /// @brief Programs the arrays of @p map; draws keyed by (@p seed, analog layer, block).
  GraphAnalogNetwork(const Graph& g, const GraphMapping& map, const DeviceModel& device,
                     const MvmNumerics& numerics, const WeightEncoding& encoding, uint64_t seed);

  /// @brief See ArrayBank::prepare.
  void prepare(double t_s, Compensation comp, uint64_t eval_seed) {
    m_bank.prepare(t_s, comp, eval_seed);
  }
  /// @brief The network on one input; output-noise draws keyed by @p image.
  void forward(const float* x, int64_t image, std::vector<float>& out);
  /// @brief Array MVMs the last forward() ran per analog layer (bound-management passes included).
  const std::vector<uint64_t>& mvms() const { return m_mvms; }

 private:
  static ArrayBank program(const Graph& g, const GraphMapping& map, const DeviceModel& device,
                           const MvmNumerics& numerics, const WeightEncoding& encoding,
                           uint64_t seed);
  void run_analog(int li, const std::vector<float>& in, std::vector<float>& out, int64_t image);

  const Graph& m_g;
  const GraphMapping& m_map;
  ArrayBank m_bank;
  std::vector<std::vector<std::vector<int>>> m_group_blocks;  ///< per layer, per group: block ids
  std::vector<std::vector<float>> m_values;
  std::vector<float> m_patch, m_partial;
  std::vector<uint64_t> m_mvms;
};

}  // namespace pcmsim
