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
// bit-identical outputs. forward_many() runs many images in batches (a layer's MVMs of all
// pixels of all images of a batch go through each array together) on several threads: every
// draw is keyed by (image, pixel), so the outputs are bit-identical for any batch size and
// thread count.

#include <cstdint>
#include <memory>
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

  /// @brief Reads the arrays at @p t_s after programming with compensation @p comp (see
  /// ArrayBank::prepare). With Compensation::BatchNorm the arrays are read uncompensated and
  /// the statistics of every digital BatchNorm node are re-estimated on the calibration images
  /// (set_batchnorm_calibration) run through the chip as it reads now: the images go through
  /// the network together, and each BatchNorm node takes the mean and (biased) variance of its
  /// input over all of them and all positions before it normalizes with them, so that a later
  /// node's statistics are those of inputs normalized by the new ones (Joshi et al., Nat.
  /// Commun. 11, 2473, 2020). Its learned affine (gamma, beta, epsilon) stays. Their draws are
  /// keyed from image kCalibrationImage0 on; the result does not depend on the thread count.
  void prepare(double t_s, Compensation comp, uint64_t eval_seed);
  /// @brief The images Compensation::BatchNorm runs: @p n of @p sample values each at
  /// @p images (kept by the caller while the network prepares).
  void set_batchnorm_calibration(const float* images, int64_t sample, int64_t n) {
    m_cal = images;
    m_cal_sample = sample;
    m_cal_n = n;
  }
  int64_t batchnorm_calibration_images() const { return m_cal_n; }
  /// @brief The graph's BatchNorm nodes that keep their affine (re-estimable), in node order.
  const std::vector<int>& batchnorm_nodes() const { return m_bn_nodes; }
  /// @brief The scale and shift BatchNorm node @p node applies now (the graph's, or those the
  /// last Compensation::BatchNorm estimated).
  const std::vector<float>& bn_scale(int node) const;
  const std::vector<float>& bn_shift(int node) const;
  /// @brief The draw key of calibration image i is kCalibrationImage0 + i (test images count
  /// from 0).
  static constexpr int64_t kCalibrationImage0 = int64_t(1) << 40;
  /// @brief Starts image number @p image (the key of its output-noise draws) with input @p x.
  void begin(const float* x, int64_t image);
  /// @brief Runs graph node @p i on the current image (its inputs must have run).
  void run_node(int i);
  /// @brief Value @p v of the current image.
  const std::vector<float>& value(int v) const { return m_main.values[0][size_t(v)]; }
  /// @brief Frees value @p v of the current image (no later node reads it).
  void release(int v) { std::vector<float>().swap(m_main.values[0][size_t(v)]); }
  /// @brief The network on one input: begin, every node, the output.
  void forward(const float* x, int64_t image, std::vector<float>& out);
  /// @brief The network on images @p first .. @p first + @p n - 1 of @p inputs (@p sample
  /// values each; image i at inputs + (i - first) * sample), in batches of @p batch images (0:
  /// as many as keep a batch's values under 64 MB, at most 64) on @p threads threads (0: the
  /// default, default_threads()). Returns the outputs, output_size() per image, in image order;
  /// bit-identical to forward() on each image.
  std::vector<float> forward_many(const float* inputs, int64_t sample, int64_t first, int64_t n,
                                  int threads = 0, int batch = 0);
  /// @brief Values of the network's output per image.
  size_t output_size() const;

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
  const std::vector<uint64_t>& mvms() const { return m_main.mvms; }
  const MvmResult& compensation_work(int b) const { return m_bank.compensation_work(size_t(b)); }
  const ReadCodes& compensation_codes(int b) const { return m_bank.compensation_codes(size_t(b)); }
  /// @brief The digital datapath's formats (activations leaving a tile, partial sums); none:
  /// FP32 throughout.
  void set_datapath(Datapath d) { m_datapath = std::move(d); }
  /// @brief Partial sums that saturated their format, and activations that clipped theirs,
  /// since construction.
  uint64_t psum_saturations() const { return m_main.psum_saturations + m_psum_saturations; }
  uint64_t activation_clips() const { return m_main.activation_clips + m_activation_clips; }
  /// @brief Keeps what each MVM did for the timing models (costs(), codes(), read_basis());
  /// the cycle-level chip sets it, the functional path has no use for it.
  void keep_mvm_work(bool on) { m_keep_work = on; }
  const Graph& graph() const { return m_g; }
  const GraphMapping& mapping() const { return m_map; }

 private:
  /// The images one thread runs together: their values and its scratch.
  struct Batch {
    std::vector<int64_t> images;                          ///< image numbers (draw keys)
    std::vector<std::vector<std::vector<float>>> values;  ///< [image of the batch][value]
    std::vector<float> x, y;                              ///< the MVMs' inputs and outputs
    std::vector<float> run;                       ///< one output channel of a run of MVMs, gathered
    std::vector<uint64_t> slots;                  ///< the MVMs' numbers
    std::vector<int64_t> item_image, item_pixel;  ///< the MVMs' image and pixel
    std::vector<float*> item_out;  ///< where each item's first output channel goes
    std::vector<MvmResult> results;
    std::vector<uint32_t> code_starts;
    std::vector<int64_t> psum_acc;  ///< partial sums in their fixed-point format
    std::vector<float> psum_f;      ///< partial sums in FP32 (no format)
    std::vector<uint64_t> mvms;     ///< array MVMs per analog layer (passes included)
    uint64_t psum_saturations = 0, activation_clips = 0;
  };
  static ArrayBank program(const Graph& g, const GraphMapping& map, const DeviceModel& device,
                           const MvmNumerics& numerics, const WeightEncoding& encoding,
                           uint64_t seed);
  void run_node(Batch& bt, int i);
  void run_analog(Batch& bt, int li);
  /// Per array of a convolution, per row: the input's offset from the patch's corner (channel,
  /// kernel row and column) and the row's kernel offsets in height and width.
  struct GatherTable {
    std::vector<int32_t> offset;  ///< 32 bits: an AVX-512 gather takes 16 at a time
    std::vector<int32_t> dh, dw;
    int max_dh = 0, max_dw = 0;
  };
  void build_gather_tables();
  /// Writes the input vector of block @p blk for output pixel @p p of value @p in to @p dst.
  void gather(const GraphLayer& l, const GraphBlock& blk, const std::vector<float>& in, int64_t p,
              float* dst) const;
  void quantize_output(Batch& bt, int v) const;
  /// Frees the values node @p i read last (except the output) in @p bt.
  void release_dead(Batch& bt, int i) const;
  /// Compensation::BatchNorm's pass over the calibration images (see prepare).
  void recalibrate_batchnorm();
  void start(Batch& bt, const float* inputs, int64_t sample, int64_t first, int64_t count) const;
  /// Runs images [first, first + count) of @p inputs as one batch into @p out (image order).
  void run_batch(Batch& bt, const float* inputs, int64_t sample, int64_t first, int64_t count,
                 float* out);

  const Graph& m_g;
  const GraphMapping& m_map;
  ArrayBank m_bank;
  Batch m_main;  ///< the image begin() starts (the cycle-level chip's)
  std::vector<std::vector<MvmCost>> m_costs;
  std::vector<std::vector<double>> m_basis;
  std::vector<ReadCodes> m_codes;
  std::vector<GatherTable> m_gather;  ///< per array (empty for dense layers)
  std::vector<int> m_last_use;        ///< per value: the last node that reads it (-1: none)
  Datapath m_datapath;
  std::vector<int> m_bn_nodes;                             ///< re-estimable BatchNorm nodes
  std::vector<std::vector<float>> m_bn_scale, m_bn_shift;  ///< per node; empty: the graph's
  const float* m_cal = nullptr;                            ///< the calibration images
  int64_t m_cal_sample = 0, m_cal_n = 0;
  bool m_keep_work = false;
  uint64_t m_psum_saturations = 0, m_activation_clips = 0;  ///< forward_many()'s
};

}  // namespace pcmsim
