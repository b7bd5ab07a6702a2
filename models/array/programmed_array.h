#pragma once
// The numerics of one programmed array block: differential conductance pairs, an analog MVM
// through DAC and ADC, drift compensation.

#include <cstdint>
#include <string>
#include <vector>

#include "models/adc/adc.h"
#include "models/dac/dac.h"
#include "models/device/device.h"
#include "sim/base/rng.h"

namespace pcmsim {

/// @brief Peripheral settings an MVM runs with.
struct MvmNumerics {
  const Dac* dac = nullptr;
  const Adc* adc = nullptr;
  bool ideal = false;            ///< no quantization, no output noise: reproduces FP32
  bool noise_management = true;  ///< scale each input vector by its absolute maximum
  int max_passes = 1;            ///< bound management: passes with the input halved each time
  /// Units the output noise and ADC range are expressed in: true, weights / max|W| of the array
  /// (the array's full scale, aihwkit weight_scaling_omega = 1); false, raw weight units (aihwkit's
  /// default weight_scaling_omega = 0).
  bool normalized_outputs = true;
  /// First-order IR drop along the bit lines: wire resistance per cell segment times g_max
  /// (dimensionless); 0 = off. The sense amplifier sits after the last row.
  double ir_drop = 0.0;
  /// Multi-phase MVM: each pass reads the array this many times, each read converted with its
  /// own output noise, and the converted outputs averaged (HERMES' high-precision mode runs 4).
  int phases = 1;
  /// Value-dependent converter timing needs the codes of every read: record them (see
  /// MvmResult::codes).
  bool record_codes = false;
  /// ADCs of the array's ADC bank, interleaved over the columns: ADC a converts columns a,
  /// a + adcs, ...; conversion round r converts columns [r x adcs, (r + 1) x adcs).
  int adcs = 1;
};

/// @brief What one MVM did, for the timing and energy models.
struct MvmResult {
  int passes = 0;  ///< MVMs the array ran (1 + bound-management repeats)
  /// Read-energy basis: sum over reads of sum_i w(x_i) * sum_j (G+_ij + G-_ij), uS, with w the
  /// DAC's read_weight (x^2, |code| or popcount(|code|) by input coding).
  double read_basis = 0;
  int reads = 0;  ///< passes x phases (bit-serial reads are not among them: they repeat each)
};

/// @brief Where an MVM writes the codes of its reads when MvmNumerics::record_codes is set: per
/// read (pass, then phase) 1 + rounds values: the largest |DAC code| of the read, then each
/// conversion round's largest |ADC code|.
using ReadCodes = std::vector<uint16_t>;

/// @brief Drift compensation. Global and PerColumn act on each array: outputs are scaled
/// digitally by reference / current mean |y| over one-hot inputs (aihwkit
/// GlobalDriftCompensation / PerColumnDriftCompensation). BatchNorm leaves the arrays alone and
/// re-estimates the statistics of the network's digital BatchNormalization nodes from
/// calibration images run through the drifted chip (Joshi et al., Nat. Commun. 11, 2473, 2020;
/// GraphAnalogNetwork::prepare).
enum class Compensation { None, Global, PerColumn, BatchNorm };
/// "none", "global", "per_column", "batchnorm"
Compensation parse_compensation(const std::string& name);
const char* compensation_name(Compensation c);

/// @brief The largest |x[i]| of x[0, n) (0 for none; the weights and inputs are finite).
float abs_max(const float* x, size_t n);

/// @brief One block of a weight matrix programmed onto one array: rows = inputs, cols = outputs.
/// Weights map to differential pairs: scale = g_max / max|W|, G+ = clamp(W*scale, 0, g_max),
/// G- = clamp(-W*scale, 0, g_max). Programming happens once; read_at() makes the conductances at
/// a time after programming current; mvm() uses the current conductances.
class ProgrammedArray {
 public:
  /// @param w  row-major rows x cols block of the layer's weight matrix (input x output)
  /// @param ctx  draw key and layer statistics for the device model
  /// @param exact  skip the device model: conductances are exactly the targets, at every time
  /// @param full_scale  the weight that maps to g_max; 0: max|w| of the block. Weights beyond
  ///   it clip.
  ProgrammedArray(const float* w, int rows, int cols, const DeviceModel& device,
                  const ProgramContext& ctx, bool exact, double full_scale = 0.0,
                  bool keep_pairs = false);
  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  /// @brief The weights the devices hold right after programming, (G+ - G-) / g_max * w_max
  /// (row-major), as a program-and-verify loop reads them back.
  std::vector<float> programmed_weights() const;

  /// @brief Reads the devices @p t_s seconds after programming (drift, read noise keyed by
  /// @p read_key) and makes those conductances current.
  void read_at(double t_s, const DrawKey& read_key);
  /// @brief Makes the conductances right after programming current (no drift, no read noise):
  /// the state the drift-compensation reference is taken in.
  void use_programmed();

  /// @brief One analog MVM (aihwkit's forward order): noise management, then per pass: DAC
  /// (quantize, clip), array product, + output noise, ADC (quantize, clip) — with several
  /// phases, each phase adds its own output noise and is converted, and the codes are averaged;
  /// if any output clips and passes remain, halve the input and repeat. Then rescale to weight
  /// units and apply the drift compensation factors.
  /// @param x  @p rows inputs;  @param y  @p cols outputs (written)
  /// @param noise  output-noise stream; draws noise_index + (pass * phases + phase) * cols +
  ///   column
  /// @param codes  where the read codes go (if num.record_codes; may be null otherwise)
  MvmResult mvm(const float* x, float* y, const MvmNumerics& num, const RngStream& noise,
                uint64_t noise_index, ReadCodes* codes = nullptr) const;

  /// @brief One MVM per vector of a batch, each exactly as mvm() on it alone (its own noise
  /// and bound management, its output-noise draws from @p noise_index[v]): the vectors read in
  /// the same pass go through the array as one matrix product, and a bound-management repeat
  /// re-reads only the vectors that clipped. Vector v: inputs x[v * ld_x ..], outputs
  /// y[v * ld_y ..], what it did in res[v]; its read codes are appended to @p codes in vector
  /// order (if num.record_codes), starting at code_start[v].
  /// @p basis false leaves MvmResult::read_basis at 0 (nothing uses the read energy).
  void mvm_batch(const float* x, int n, int ld_x, float* y, int ld_y, const MvmNumerics& num,
                 const RngStream& noise, const uint64_t* noise_index, MvmResult* res,
                 ReadCodes* codes = nullptr, uint32_t* code_start = nullptr,
                 bool basis = true) const;

  /// @brief Drift-compensation readout: mean |y| over the one-hot inputs e_0..e_{rows-1}, per
  /// column (size cols), each through mvm(). Adds the MVM work done to @p work.
  std::vector<double> one_hot_readout(const MvmNumerics& num, const RngStream& noise,
                                      uint64_t noise_index, MvmResult& work,
                                      ReadCodes* codes = nullptr) const;
  /// @brief Output scale factors (per column); empty for none.
  void set_compensation(std::vector<float> alpha) { m_alpha = std::move(alpha); }

 private:
  void set_current(const float* g_uS);
  /// Subtracts the first-order bit-line IR-drop error of inputs @p xq from column sums @p acc.
  void apply_ir_drop(double rho, const float* xq, float* acc) const;
  /// mvm_batch() without the compensation factors (@p compensate false): what the
  /// drift-compensation readout sees.
  void run_batch(const float* x, int n, int ld_x, float* y, int ld_y, const MvmNumerics& num,
                 const RngStream& noise, const uint64_t* noise_index, MvmResult* res,
                 ReadCodes* codes, uint32_t* code_start, bool compensate, bool basis) const;
  /// The output-noise draws of every read of the active vectors (per-thread scratch) in
  /// pass @p pass.
  void draw_output_noise(const MvmNumerics& num, const RngStream& noise,
                         const uint64_t* noise_index, int pass) const;
  /// Column sums @p acc through output noise (@p noise: cols draws per phase; null: none) and
  /// the ADC into @p y, phase by phase; whether any clipped.
  bool convert(const MvmNumerics& num, const float* acc, const float* xq, float* y, int phases,
               const float* noise, ReadCodes* codes) const;
  /// Appends one read's codes: its largest input code (of DAC outputs @p xq) and each round's
  /// largest output code.
  void record_read(const MvmNumerics& num, const float* xq, const float* y, ReadCodes& codes) const;
  int m_rows, m_cols;
  float m_w_max;
  double m_g_max;
  const DeviceModel* m_device;
  bool m_exact;
  std::vector<float> m_exact_w;       ///< exact mode: the clipped targets, in weight units
  DeviceState m_state;                ///< G+ devices (first rows*cols), then G- devices
  std::vector<float> m_gdiff;         ///< current (G+ - G-) / g_max, row-major rows x cols
  std::vector<float> m_gsum;          ///< current per row: sum_j (G+ + G-), uS
  bool m_keep_pairs = false;          ///< keep G+ and G- apart (IR drop needs each bit line)
  std::vector<float> m_gpos, m_gneg;  ///< current G+ / g_max and G- / g_max (if kept)
  std::vector<float> m_alpha;         ///< drift compensation per column (empty: none)
};

/// @brief Compensation factors from a reference and a current readout (reference / current,
/// each clamped below at 1e-4 as aihwkit): one global factor repeated, or one per column.
std::vector<float> compensation_factors(Compensation c, const std::vector<double>& reference,
                                        const std::vector<double>& current);

}  // namespace pcmsim
