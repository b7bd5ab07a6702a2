#pragma once
// The programmed arrays of a mapped network: programming with the weight encoding (levels of a
// weight block on consecutive arrays, most significant first), reads at a time after
// programming, drift compensation, and one MVM on one array with keyed output noise. Shared by
// the fully connected chain (AnalogNetwork) and the graph (GraphAnalogNetwork).

#include <cstdint>
#include <memory>
#include <vector>

#include "models/array/array.h"
#include "models/array/programmed_array.h"
#include "models/device/device.h"
#include "models/encoding/encoding.h"

namespace pcmsim {

/// @brief One array to program.
struct BlockSpec {
  uint32_t layer = 0, index = 0;  ///< draw key: analog layer and block within it
  int level = 0;                  ///< encoding level; level 0 starts a new weight block
  int rows = 0, cols = 0;
  std::vector<float> weights;  ///< level 0: the weight block, rows x cols row-major; empty on
                               ///< higher levels, which program the same block
  double layer_w_max = 0, layer_w_std = 0;
};

class ArrayBank {
 public:
  /// @brief Programs every block; draws keyed by (@p seed, layer, index).
  ArrayBank(std::vector<BlockSpec> blocks, const DeviceModel& device, const MvmNumerics& numerics,
            const WeightEncoding& encoding, uint64_t seed);

  /// @brief Makes the conductances @p t_s seconds after programming current and sets the drift
  /// compensation; read noise and output noise keyed by @p eval_seed. Records the MVM work of
  /// the compensation readouts per array.
  void prepare(double t_s, Compensation comp, uint64_t eval_seed);
  /// @brief MVMs of array @p b on @p n vectors at once (ProgrammedArray::mvm_batch): vector v
  /// has inputs x[v * ld_x ..], outputs y[v * ld_y ..], and numbers its MVM (image, pixel)
  /// @p slots[v] for the output-noise draws; its reads' codes go to @p codes when the numerics
  /// record them. The results are bit for bit those of each vector alone.
  void mvm_batch(size_t b, const float* x, int n, int ld_x, float* y, int ld_y,
                 const uint64_t* slots, MvmResult* res, ReadCodes* codes = nullptr,
                 uint32_t* code_start = nullptr, bool basis = true) const;

  size_t size() const { return m_arrays.size(); }
  const MvmResult& compensation_work(size_t b) const { return m_comp_work[b]; }
  /// @brief The codes of array @p b's compensation readouts (when the numerics record codes).
  const ReadCodes& compensation_codes(size_t b) const { return m_comp_codes[b]; }
  const MvmNumerics& numerics() const { return m_num; }

  /// @brief Per-layer weight statistics (max |W|, standard deviation) of @p w.
  static void weight_stats(const std::vector<float>& w, double* max_abs, double* std);

 private:
  std::vector<BlockSpec> m_specs;
  MvmNumerics m_num;
  std::vector<std::unique_ptr<ProgrammedArray>> m_arrays;
  std::vector<RngStream> m_noise;
  std::vector<MvmResult> m_comp_work;
  std::vector<ReadCodes> m_comp_codes;
};

}  // namespace pcmsim
