#pragma once
// The numerics of a graph mapped onto arrays, without timing. Conv and Dense nodes run on the
// programmed arrays: a convolution as one MVM per output pixel and array, with the input patch
// (im2col, zero padding) as the vector; the partial sums of the row blocks and encoding levels
// are added in block order, then the bias. Every other node runs digitally (eval_node, FP32).
//
// The SystemC chip runs an image's nodes when it admits the image and its modules spend the
// time afterwards (the values do not depend on the timing; the timing depends on the values:
// each MVM's passes, read codes and read-energy basis, which run_node() records for the cores).
// forward() runs the same calls without the kernel (functional mode): both modes give
// bit-identical outputs.

#include <cstdint>
#include <vector>

#include "sim/functional/array_bank.h"
#include "sim/functional/datapath.h"
#include "workloads/graph.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

/// @brief What one MVM of one array took, for the timing model.
struct MvmCost {
  uint16_t passes = 0;  ///< 1 + bound-management repeats
  uint16_t reads = 0;   ///< passes x phases (see MvmResult::reads)
  uint32_t code0 = 0;   ///< where its reads' codes start in codes() (when recorded)
};

class GraphAnalogNetwork {
 public:
  /// @brief Programs the arrays of @p map; draws keyed by (@p seed, analog layer, block).
  GraphAnalogNetwork(const Graph& g, const GraphMapping& map, const DeviceModel& device,
                     const MvmNumerics& numerics, const WeightEncoding& encoding, uint64_t seed);

  /// @brief See ArrayBank::prepare.
  void prepare(double t_s, Compensation comp, uint64_t eval_seed) {
    m_bank.prepare(t_s, comp, eval_seed);
  }
  /// @brief Starts image number @p image (the key of its output-noise draws) with input @p x.
  void begin(const float* x, int64_t image);
  /// @brief Runs graph node @p i on the current image (its inputs must have run).
  void run_node(int i);
  /// @brief Value @p v of the current image.
  const std::vector<float>& value(int v) const { return m_values[size_t(v)]; }
  /// @brief Frees value @p v of the current image (no later node reads it).
  void release(int v) { std::vector<float>().swap(m_values[size_t(v)]); }
  /// @brief The network on one input: begin, every node, the output.
  void forward(const float* x, int64_t image, std::vector<float>& out);

  /// @brief The MVMs of analog layer @p li in its last run, at [k * pixels + p] for the k-th
  /// block of the layer and output pixel p (passes 0 where the block's copy does not take p).
  const std::vector<MvmCost>& costs(int li) const { return m_costs[size_t(li)]; }
  /// @brief The read codes of analog layer @p li's MVMs in its last run (MvmCost::code0 indexes
  /// them), when the numerics record codes.
  const ReadCodes& codes(int li) const { return m_codes[size_t(li)]; }
  /// @brief Read-energy basis of each MVM of analog layer @p li in its last run, at
  /// [k * pixels + p] as costs().
  const std::vector<double>& read_basis(int li) const { return m_basis[size_t(li)]; }
  /// @brief Array MVMs per analog layer in the current image (passes included).
  const std::vector<uint64_t>& mvms() const { return m_mvms; }
  const MvmResult& compensation_work(int b) const { return m_bank.compensation_work(size_t(b)); }
  const ReadCodes& compensation_codes(int b) const { return m_bank.compensation_codes(size_t(b)); }
  /// @brief The digital datapath's formats (activations leaving a tile, partial sums); none:
  /// FP32 throughout.
  void set_datapath(Datapath d) { m_datapath = std::move(d); }
  /// @brief Partial sums that saturated their format, and activations that clipped theirs,
  /// since construction.
  uint64_t psum_saturations() const { return m_psum_saturations; }
  uint64_t activation_clips() const { return m_activation_clips; }
  /// @brief Keeps what each MVM did for the timing models (costs(), codes(), read_basis());
  /// the cycle-level chip sets it, the functional path has no use for it.
  void keep_mvm_work(bool on) { m_keep_work = on; }
  const Graph& graph() const { return m_g; }
  const GraphMapping& mapping() const { return m_map; }

 private:
  static ArrayBank program(const Graph& g, const GraphMapping& map, const DeviceModel& device,
                           const MvmNumerics& numerics, const WeightEncoding& encoding,
                           uint64_t seed);
  void run_analog(int li, const std::vector<float>& in, std::vector<float>& out);
  /// The input vector of block @p blk for output pixel @p p.
  const float* gather(const GraphLayer& l, const GraphBlock& blk, const std::vector<float>& in,
                      int64_t p);
  void add_psum(int li, size_t at, float v, std::vector<float>& out);
  void quantize_output(int v);

  const Graph& m_g;
  const GraphMapping& m_map;
  ArrayBank m_bank;
  int64_t m_image = 0;
  std::vector<std::vector<float>> m_values;
  std::vector<std::vector<MvmCost>> m_costs;
  std::vector<std::vector<double>> m_basis;
  std::vector<ReadCodes> m_codes;
  std::vector<float> m_patch, m_partial;
  std::vector<uint64_t> m_mvms;
  Datapath m_datapath;
  bool m_keep_work = false;
  std::vector<int64_t> m_psum_acc;
  uint64_t m_psum_saturations = 0, m_activation_clips = 0;
};

}  // namespace pcmsim
