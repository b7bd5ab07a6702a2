// The digital datapath's formats: activations leaving a tile at activation_bits with a scale
// per value, partial sums at psum_bits saturating, checked against the formats' definitions
// computed here from the FP32 values and the weights.

#include "sim/functional/datapath.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "sim/base/config.h"
#include "sim/base/registry.h"
#include "sim/base/rng.h"
#include "sim/functional/graph_network.h"
#include "tests/workloads/graph_builder.h"

namespace pcmsim {
namespace {

TEST(Datapath, FormatsTakeTheirRangeFromTheCalibrationValues) {
  // An 8-bit value never below 0 with max 2.55 uses codes 0..255 of 0.01; a signed one with
  // max |x| 1.27, codes -127..127 of 0.01. Partial sums at 16 bits: twice the largest
  // pre-bias output over 32767 codes.
  Graph g = dense_chain({4, 3, 2}, 1);  // values: input, fc1, relu, fc2
  GraphMapping map = map_graph(g, {1, 2, 8, 8, 1});
  ValueRanges r;
  r.max_abs = std::vector<double>(g.values.size(), 0.0);
  r.min = r.max_abs;
  r.max_abs[1] = 2.55;  // the dense output
  r.min[1] = 0.0;
  r.max_abs[3] = 1.27;
  r.min[3] = -0.5;
  r.psum_max = {3.0, 1.0};
  std::vector<char> stored(g.values.size(), 1);
  Datapath d = make_datapath(g, map, r, stored, 8, 16);
  EXPECT_FALSE(d.activations[size_t(g.input)].quantized());  // the image is not a tile's output
  EXPECT_DOUBLE_EQ(d.activations[1].lsb, 0.01);
  EXPECT_EQ(d.activations[1].lo, 0);
  EXPECT_EQ(d.activations[1].hi, 255);
  EXPECT_DOUBLE_EQ(d.activations[3].lsb, 0.01);
  EXPECT_EQ(d.activations[3].lo, -127);
  EXPECT_DOUBLE_EQ(d.psums[0].lsb, 6.0 / 32767);
  uint64_t clips = 0;
  EXPECT_FLOAT_EQ(to_format(0.0149f, d.activations[1], clips), 0.01f);
  EXPECT_FLOAT_EQ(to_format(-0.3f, d.activations[1], clips), 0.0f);  // below 0: clipped
  EXPECT_FLOAT_EQ(to_format(3.0f, d.activations[1], clips), 2.55f);
  EXPECT_EQ(clips, 2u);
}

/// Ideal converters and exact devices: the arrays compute the FP32 partial sums.
struct Exact {
  std::unique_ptr<ConfigNode> root;
  std::unique_ptr<DeviceModel> device;
  MvmNumerics num;
  Exact() {
    root = parse_config_text("d: {impl: ideal}\n", "d.yaml");
    Params top(root.get(), "", std::make_shared<ParamContext>());
    Params p = top.child("d");
    device = Registry<DeviceModel>::create(p);
    num.ideal = true;
  }
};

TEST(Datapath, PartialSumsAddInTheirFormatAndSaturateAndActivationsRoundOnTheWayOut) {
  // Dense 64 -> 4 on 32 x 8 arrays: two row blocks, whose partial sums (FP32 dot products of
  // rows 0..31 and 32..63, computed here from the weights) are rounded to the layer's psum LSB
  // and added with saturation at +-7 LSBs (4 bits), then the bias; the output (stored) rounds
  // to 8 bits, unsigned if the calibration saw no negative value.
  Graph g = dense_chain({64, 4}, 3);
  GraphMapping map = map_graph(g, {1, 2, 32, 8, 1});
  ASSERT_EQ(map.blocks.size(), 2u);
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i) x[size_t(i)] = std::sin(0.3f * float(i));
  const GraphNode& n = g.nodes[0];
  Datapath d;
  d.psum_bits = 4;
  d.psums = {FixedFormat{0.05, -7, 7}};
  d.activations.assign(g.values.size(), FixedFormat{});
  d.activations[size_t(n.output)] = FixedFormat{0.02, -127, 127};
  Exact e;
  GraphAnalogNetwork a(g, map, *e.device, e.num, WeightEncoding{}, 1);
  a.set_datapath(d);
  a.prepare(0.0, Compensation::None, 2);
  std::vector<float> y;
  a.forward(x.data(), 0, y);
  uint64_t saturations = 0, clips = 0;
  for (int c = 0; c < 4; ++c) {
    int64_t acc = 0;
    auto add = [&](double v) {
      acc += int64_t(std::nearbyint(v / 0.05));
      if (acc > 7 || acc < -7) {
        acc = std::clamp<int64_t>(acc, -7, 7);
        ++saturations;
      }
    };
    for (int blk = 0; blk < 2; ++blk) {
      double partial = 0;
      for (int r = 32 * blk; r < 32 * blk + 32; ++r)
        partial += double(x[size_t(r)]) * n.weight.data[size_t(r * 4 + c)];
      add(float(partial));
    }
    add(n.bias.data[size_t(c)]);
    // Between the stages values are FP32: the accumulated sum, then its 8-bit code.
    const float sum = float(double(acc) * 0.05);
    double out = std::nearbyint(double(sum) / 0.02);
    if (std::fabs(out) > 127) ++clips;
    out = std::clamp(out, -127.0, 127.0) * 0.02;
    EXPECT_NEAR(y[size_t(c)], out, 1e-6) << c;
  }
  EXPECT_GT(saturations, 0u);  // the 4-bit format is narrow enough to saturate
  EXPECT_EQ(a.psum_saturations(), saturations);
  EXPECT_EQ(a.activation_clips(), clips);
}

TEST(Datapath, CalibrationRecordsEachValuesRangeAndEachLayersPreBiasOutputs) {
  // A 2 -> 2 dense layer with known weights and bias, then ReLU, on inputs (1, 0) and (0, -2):
  // pre-bias outputs W^T x: (1, 2) and (-6, -8); with the bias (0.5, -1): (1.5, 1), (-5.5, -9);
  // after ReLU (1.5, 1), (0, 0).
  GraphBuilder b({2}, 1);
  int v = b.dense(b.graph().input, 2, "fc");
  v = b.unary(GraphOp::Relu, v, "relu");
  Graph g = b.finish(v);
  g.nodes[0].weight.data = {1, 2, 3, 4};  // [in, out]
  g.nodes[0].bias.data = {0.5f, -1.0f};
  GraphMapping map = map_graph(g, {1, 1, 8, 8, 1});
  const std::vector<float> inputs = {1, 0, 0, -2};
  ValueRanges r = calibrate(g, map, inputs.data(), 2, 2);
  EXPECT_DOUBLE_EQ(r.psum_max[0], 8.0);
  EXPECT_DOUBLE_EQ(r.max_abs[size_t(g.nodes[0].output)], 9.0);
  EXPECT_DOUBLE_EQ(r.min[size_t(g.nodes[0].output)], -9.0);
  EXPECT_DOUBLE_EQ(r.max_abs[size_t(g.output)], 1.5);
  EXPECT_DOUBLE_EQ(r.min[size_t(g.output)], 0.0);
}

/// Values whose quotients by an LSB lie at half-integer codes: with v0 = j / 1024 and lsb = v0
/// / (k + 1/2) (rounded, k < @p codes), each odd multiple m v0 (exact in float) has the
/// quotient m (k + 1/2) up to an ulp, often exactly. Sets @p lsb; returns +-m v0, m = 1 .. 15.
std::vector<float> values_at_ties(const RngStream& r, uint64_t& draw, double codes, double* lsb) {
  const float v0 = float(1 + int(r.uniform(draw++) * 4000.0)) / 1024.0f;
  *lsb = double(v0) / (std::floor(r.uniform(draw++) * codes) + 0.5);
  std::vector<float> v;
  for (int m = 1; m <= 15; m += 2) {
    v.push_back(float(m) * v0);
    v.push_back(-float(m) * v0);
  }
  return v;
}

TEST(Datapath, PartialSumCodesAreTheDivisionsNearestIntegers) {
  // add_psums_n against its definition written out: acc += nearbyint(double(v) / lsb), ties to
  // even, saturated at the format's range and counted. Quotients at half-integer codes test
  // the ties (values_at_ties); random values fill the rest.
  RngStream r(11, DrawKind::Fault, 4, 4);
  uint64_t draw = 0;
  size_t exact_ties = 0;
  for (int t = 0; t < 500; ++t) {
    FixedFormat f;
    std::vector<float> v = values_at_ties(r, draw, 200.0, &f.lsb);
    // 12-bit sums that saturate, wide ones, and 62-bit ones for codes beyond 2^51 (where
    // doubles are spaced 1/2 and more: quotients of a few ulps apart are different codes).
    f.hi = t % 3 == 0 ? 2047 : t % 3 == 1 ? (int64_t(1) << 40) - 1 : (int64_t(1) << 61) - 1;
    f.lo = -f.hi;
    for (int k = 0; k < 40; ++k) v.push_back(float((r.uniform(draw++) - 0.5) * 1e4 * f.lsb));
    for (int k = 0; k < 8; ++k)
      v.push_back(float((r.uniform(draw++) + 0.5) * 0x1p52 * f.lsb * (k % 2 ? -1 : 1)));
    std::vector<int64_t> acc(v.size()), want;
    for (size_t i = 0; i < acc.size(); ++i) acc[i] = int64_t(i % 7) * 300 - 900;
    want = acc;
    uint64_t want_sat = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      const double q = double(v[i]) / f.lsb;
      exact_ties += q - std::floor(q) == 0.5;
      int64_t a = want[i] + int64_t(std::nearbyint(q));
      if (a > f.hi || a < f.lo) {
        a = std::clamp(a, f.lo, f.hi);
        ++want_sat;
      }
      want[i] = a;
    }
    EXPECT_EQ(add_psums_n(acc.data(), v.data(), v.size(), f), want_sat);
    ASSERT_EQ(acc, want) << "lsb " << f.lsb;
  }
  EXPECT_GT(exact_ties, 1000u);  // the ties were there
}

TEST(Datapath, ActivationCodesAreTheDivisionsNearestIntegers) {
  // to_format_n against its definition written out: x = clamp(nearbyint(double(x) / lsb), lo,
  // hi) x lsb in float, clips counted; ties at half-integer codes (values_at_ties), formats
  // signed and unsigned, values in and beyond their range.
  RngStream r(13, DrawKind::Fault, 4, 6);
  uint64_t draw = 0;
  size_t exact_ties = 0;
  for (int t = 0; t < 500; ++t) {
    FixedFormat f;
    std::vector<float> x = values_at_ties(r, draw, 100.0, &f.lsb);
    f.hi = t % 2 ? 255 : 127;
    f.lo = t % 2 ? 0 : -127;
    for (int k = 0; k < 37; ++k) x.push_back(float((r.uniform(draw++) - 0.4) * 600.0 * f.lsb));
    std::vector<float> want = x;
    uint64_t want_clips = 0;
    for (float& v : want) {
      const double q = double(v) / f.lsb;
      exact_ties += q - std::floor(q) == 0.5;
      double c = std::nearbyint(q);
      if (c > double(f.hi) || c < double(f.lo)) {
        c = std::clamp(c, double(f.lo), double(f.hi));
        ++want_clips;
      }
      v = float(c * f.lsb);
    }
    EXPECT_EQ(to_format_n(x.data(), x.size(), f), want_clips);
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(std::memcmp(&x[i], &want[i], sizeof(float)), 0)
          << "value " << i << ": " << x[i] << " vs " << want[i] << ", lsb " << f.lsb;
  }
  EXPECT_GT(exact_ties, 1000u);  // the ties were there
}

}  // namespace
}  // namespace pcmsim
