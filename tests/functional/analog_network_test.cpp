// The mapped network without the SystemC kernel: weight encodings across arrays.

#include <gtest/gtest.h>

#include <cmath>

#include "models/adc/adc.h"
#include "models/dac/dac.h"
#include "sim/base/config.h"
#include "sim/base/registry.h"
#include "sim/functional/graph_network.h"
#include "tests/workloads/graph_builder.h"

namespace pcmsim {
namespace {

std::unique_ptr<DeviceModel> device(const std::string& yaml) {
  static std::vector<std::unique_ptr<ConfigNode>> keep;
  keep.push_back(parse_config_text(yaml, "d.yaml"));
  Params top(keep.back().get(), "", std::make_shared<ParamContext>());
  Params p = top.child("d");
  return Registry<DeviceModel>::create(p);
}

Graph dense(int in, int out, uint64_t seed) {
  GraphBuilder b({in}, seed);
  return b.finish(b.dense(b.graph().input, out, "fc", false));
}

/// RMS of (effective weight - weight) over the layer, probed with one-hot inputs.
double weight_error(const Graph& n, const WeightEncoding& e, const DeviceModel& d, int in,
                    int out) {
  GraphMapping map = map_graph(n, {1, 16, 32, 32, e.levels()});
  // 16-bit converters without noise: quantization error ~1e-5 of max|W|, far below the
  // devices' (ideal numerics would also make the devices exact).
  static std::vector<std::unique_ptr<ConfigNode>> keep;
  keep.push_back(parse_config_text(
      "dac: {impl: uniform, bits: 16}\nadc: {impl: sar, bits: 16, range: 2}\n", "c.yaml"));
  Params top(keep.back().get(), "", std::make_shared<ParamContext>());
  Params dp = top.child("dac"), ap = top.child("adc");
  static std::unique_ptr<Dac> dac;
  static std::unique_ptr<Adc> adc;
  dac = Registry<Dac>::create(dp);
  adc = Registry<Adc>::create(ap);
  MvmNumerics num;
  num.dac = dac.get();
  num.adc = adc.get();
  GraphAnalogNetwork a(n, map, d, num, e, 5);
  a.prepare(0.0, Compensation::None, 6);
  double err = 0;
  std::vector<float> x(size_t(in), 0.0f), y;
  for (int i = 0; i < in; ++i) {
    x[size_t(i)] = 1.0f;
    a.forward(x.data(), i, y);
    for (int o = 0; o < out; ++o)
      err += std::pow(y[size_t(o)] - n.nodes[0].weight.data[size_t(i * out + o)], 2);
    x[size_t(i)] = 0.0f;
  }
  return std::sqrt(err / (in * out));
}

TEST(AnalogNetwork, SignificanceLevelsCorrectTheProgrammingErrorOfTheFirst) {
  Graph n = dense(32, 32, 1);
  auto pcm = device("d:\n  impl: pcm\n  drift_scale: 0\n  read_noise_scale: 0\n");
  WeightEncoding single;
  WeightEncoding sig;
  sig.mode = WeightEncoding::Mode::Significance;
  sig.factors = {1.0, 0.25};
  double e1 = weight_error(n, single, *pcm, 32, 32);
  double e2 = weight_error(n, sig, *pcm, 32, 32);
  // The second level's full scale is a quarter of the first: its programming error, which is
  // what remains, is at most about a quarter as large in weight units.
  EXPECT_GT(e1, 0.0);
  EXPECT_LT(e2, 0.35 * e1);
}

TEST(AnalogNetwork, ExactLevelsReconstructTheWeights) {
  Graph n = dense(32, 32, 2);
  auto ideal = device("d:\n  impl: ideal\n");
  WeightEncoding sig;
  sig.mode = WeightEncoding::Mode::Significance;
  sig.factors = {1.0, 0.25};
  EXPECT_LT(weight_error(n, sig, *ideal, 32, 32), 1e-4);
  WeightEncoding bits;
  bits.mode = WeightEncoding::Mode::BitSlices;
  bits.slices = 4;
  bits.bits_per_slice = 2;
  // 8-bit sign-magnitude weights: error at most half a step of max|W| / 255.
  float w_max = 0;
  for (float w : n.nodes[0].weight.data) w_max = std::max(w_max, std::fabs(w));
  double err = weight_error(n, bits, *ideal, 32, 32);
  EXPECT_GT(err, 0.0);
  EXPECT_LT(err, 0.5 * w_max / 255.0);
}

TEST(AnalogNetwork, BitSliceNoiseIsDominatedByTheMostSignificantSlice) {
  Graph n = dense(32, 32, 3);
  auto gauss = device("d:\n  impl: gaussian\n  sigma: 0.02\n");
  WeightEncoding single, bits;
  bits.mode = WeightEncoding::Mode::BitSlices;
  bits.slices = 2;
  bits.bits_per_slice = 4;
  // Additive noise relative to the layer's max|W| on every level: the MSB slice carries
  // 15 * 16 / 255 of the full scale, the LSB 15 / 255, so the error is sqrt((240^2 + 15^2)) /
  // 255 of a single pair's: about 0.94.
  double e1 = weight_error(n, single, *gauss, 32, 32);
  double e2 = weight_error(n, bits, *gauss, 32, 32);
  EXPECT_NEAR(e2 / e1, std::sqrt(240.0 * 240.0 + 15.0 * 15.0) / 255.0, 0.1);
}

TEST(AnalogNetwork, GaussianWeightNoiseRelativeToMaxOrStd) {
  Graph n = dense(32, 32, 4);
  float w_max = 0;
  double s2 = 0;
  for (float w : n.nodes[0].weight.data) {
    w_max = std::max(w_max, std::fabs(w));
    s2 += double(w) * w;
  }
  double w_std = std::sqrt(s2 / 1024.0);  // mean ~ 0
  WeightEncoding single;
  double by_max = weight_error(n, single, *device("d:\n  impl: gaussian\n  sigma: 0.1\n"), 32, 32);
  double by_std = weight_error(
      n, single, *device("d:\n  impl: gaussian\n  sigma: 0.1\n  relative_to: std\n"), 32, 32);
  // 1024 weights: the RMS error estimates sigma within about 5 / sqrt(2 * 1024) = 11 %.
  EXPECT_NEAR(by_max, 0.1 * w_max, 0.11 * 0.1 * w_max);
  EXPECT_NEAR(by_std, 0.1 * w_std, 0.11 * 0.1 * w_std + 0.02 * w_std);
}

}  // namespace
}  // namespace pcmsim
