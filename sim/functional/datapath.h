#pragma once
// The digital datapath's number formats, shared by the cycle-level chip and the functional path
// (one numerics path). As on IBM's chips, a tile's digital unit applies an affine scale to the
// outputs it sends out and rounds them to `activation_bits`: each stored value (the activations
// between steps) has its own scale, from the range it takes on a calibration set; a value that
// is never negative there (after a ReLU) uses all 2^bits levels from 0, others are symmetric.
// Partial sums of a layer's arrays (and levels) are carried at `psum_bits` in a fixed-point
// format of their own, one LSB for the layer, saturating: its range is twice the largest
// pre-bias output the layer takes on the calibration set (one bit of headroom for partial sums
// that exceed the total). Values beyond a format's range clip, and clips are counted.

#include <cstdint>
#include <vector>

#include "workloads/graph.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

/// @brief A fixed-point format: value = code x lsb, codes in [lo, hi]; lsb 0: not quantized.
struct FixedFormat {
  double lsb = 0;
  int64_t lo = 0, hi = 0;
  bool quantized() const { return lsb > 0; }
};

struct Datapath {
  std::vector<FixedFormat> activations;  ///< per graph value (not quantized: not stored)
  std::vector<FixedFormat> psums;        ///< per analog layer
  int activation_bits = 0, psum_bits = 0;
  int calibration_images = 0;
  bool enabled() const { return !activations.empty() || !psums.empty(); }
};

/// @brief What the graph's values do on a calibration set (FP32): per value its largest |x|
/// and its smallest x; per analog layer its largest |pre-bias output|.
struct ValueRanges {
  std::vector<double> max_abs, min;
  std::vector<double> psum_max;
};

/// @brief Runs @p n inputs of @p sample values each through the FP32 graph.
ValueRanges calibrate(const Graph& g, const GraphMapping& map, const float* inputs, int64_t n,
                      int64_t sample);

/// @brief The datapath's formats: activations of the values marked in @p stored (except the
/// network input) at @p activation_bits, every analog layer's partial sums at @p psum_bits.
Datapath make_datapath(const Graph& g, const GraphMapping& map, const ValueRanges& r,
                       const std::vector<char>& stored, int activation_bits, int psum_bits);

/// @brief @p x in format @p f: the nearest code (ties to even), clipped; @p clips counts a clip.
float to_format(float x, const FixedFormat& f, uint64_t& clips);
/// @brief to_format() on each of @p n values in place (vectorized); returns the clips.
uint64_t to_format_n(float* x, size_t n, const FixedFormat& f);
/// @brief Adds @p n partial sums @p v into the accumulators @p acc of format @p f: each v's
/// nearest code (ties to even), then the sum saturated at the format's range (vectorized);
/// returns how many saturated.
uint64_t add_psums_n(int64_t* acc, const float* v, size_t n, const FixedFormat& f);

}  // namespace pcmsim
