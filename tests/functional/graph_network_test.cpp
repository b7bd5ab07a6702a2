// Graphs through the mapper and the programmed arrays (functional mode).

#include "sim/functional/graph_network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "models/adc/adc.h"
#include "models/dac/dac.h"
#include "sim/base/config.h"
#include "sim/base/parallel.h"
#include "sim/base/registry.h"
#include "sim/functional/datapath.h"
#include "tests/workloads/graph_builder.h"
#include "tests/workloads/onnx_cases.h"
#include "workloads/dataset.h"
#include "workloads/onnx_graph.h"

namespace pcmsim {
namespace {

const std::string kModels = std::string(PCMSIM_SOURCE_DIR) + "/workloads/models/";

template <class I>
std::unique_ptr<I> make(const std::string& yaml) {
  static std::vector<std::unique_ptr<ConfigNode>> keep;
  keep.push_back(parse_config_text("x:\n" + yaml, "t.yaml"));
  Params top(keep.back().get(), "", std::make_shared<ParamContext>());
  Params p = top.child("x");
  return Registry<I>::create(p);
}

int64_t sidecar_correct(const std::string& stem) {
  std::ifstream in(kModels + stem + ".yaml");
  std::stringstream s;
  s << in.rdbuf();
  auto root = parse_config_text(s.str(), stem + ".yaml");
  return std::stoll(root->find("fp32_test_correct")->scalar);
}

Dataset fmnist(int64_t n) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  return load_idx_dataset(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz", n,
                          {1.0 / 255.0, 0.2860, 0.3530, {}, {}});
}

int64_t correct(GraphAnalogNetwork& a, const Dataset& d) {
  int64_t ok = 0;
  std::vector<float> y;
  for (int64_t i = 0; i < d.count; ++i) {
    a.forward(d.image(i), i, y);
    ok += int64_t(std::max_element(y.begin(), y.end()) - y.begin()) == d.labels[size_t(i)];
  }
  return ok;
}

TEST(GraphNetwork, OnnxConformanceCasesThroughTheMappedArrays) {
  // Ideal numerics on 16 x 16 arrays: every Conv and Gemm splits into row and column blocks.
  auto device = make<DeviceModel>("  impl: ideal\n");
  MvmNumerics num;
  num.ideal = true;
  WeightEncoding single;
  int analog_cases = 0, ran = 0;
  for (const auto& c : testing::load_onnx_cases()) {
    if (!c.skipped.empty()) continue;
    GraphMapping map = map_graph(c.graph, {64, 256, 16, 16, 1});
    GraphAnalogNetwork a(c.graph, map, *device, num, single, 1);
    a.prepare(0.0, Compensation::None, 2);
    const int64_t in_n = numel(c.graph.input_shape());
    std::vector<float> got, y;
    for (int64_t b = 0; b < c.input.shape[0]; ++b) {
      a.forward(c.input.data.data() + b * in_n, b, y);
      got.insert(got.end(), y.begin(), y.end());
    }
    std::string diff = testing::compare_outputs(got, c.expected.data);
    EXPECT_EQ(diff, "") << c.name;
    ++ran;
    if (!map.layers.empty()) {
      ++analog_cases;
      std::cout << "  arrays  " << c.name << ": " << map.blocks.size() << " arrays"
                << (diff.empty() ? "" : " FAILED") << "\n";
    }
  }
  std::cout << "ONNX conformance through the arrays: " << ran << " cases, " << analog_cases
            << " with Conv or Gemm\n";
  EXPECT_GE(ran, 30);           // every supported case, through the mapped network
  EXPECT_GE(analog_cases, 25);  // of which Conv / Gemm on arrays (27 with libonnx-testdata 1.12)
}

TEST(GraphNetwork, Lenet5IdealAccuracyEqualsPytorch) {
  Graph g = import_onnx_graph(kModels + "lenet5_fmnist.onnx");
  GraphMapping map = map_graph(g, {4, 16, 256, 256, 1});
  auto device = make<DeviceModel>("  impl: ideal\n");
  MvmNumerics num;
  num.ideal = true;
  GraphAnalogNetwork a(g, map, *device, num, WeightEncoding{}, 1);
  a.prepare(0.0, Compensation::None, 2);
  Dataset d = fmnist(0);
  EXPECT_EQ(correct(a, d), sidecar_correct("lenet5_fmnist"));
  // MVMs per layer: output pixels x arrays of the layer (one pass each in ideal numerics).
  for (size_t l = 0; l < map.layers.size(); ++l) {
    EXPECT_EQ(a.mvms()[l], uint64_t(map.layers[l].pixels) * map.layers[l].blocks.size())
        << map.layers[l].name;
  }
  EXPECT_EQ(map.layers[0].pixels, 28 * 28);  // conv1, padding 2: 28 x 28 outputs
  EXPECT_EQ(map.layers[0].rows, 1 * 5 * 5);
  EXPECT_EQ(map.layers[1].rows, 6 * 5 * 5);
}

/// A DAC and an ADC from their YAML, and numerics on them with bound management up to 5
/// passes.
struct Converters {
  std::unique_ptr<Dac> dac;
  std::unique_ptr<Adc> adc;
  MvmNumerics num;
  Converters(const std::string& dac_yaml, const std::string& adc_yaml)
      : dac(make<Dac>(dac_yaml)), adc(make<Adc>(adc_yaml)) {
    num.dac = dac.get();
    num.adc = adc.get();
    num.max_passes = 5;
  }
};

/// LeNet-5 on 4 x 16 arrays of 256 x 256 with PCM devices, a 7-bit DAC, a 9-bit ADC over +-12
/// with output noise 0.06 and bound management up to 5 passes.
struct NoisyLenet {
  Graph g = import_onnx_graph(kModels + "lenet5_fmnist.onnx");
  GraphMapping map = map_graph(g, {4, 16, 256, 256, 1});
  std::unique_ptr<DeviceModel> device = make<DeviceModel>("  impl: pcm\n");
  Converters conv{"  impl: uniform\n  bits: 7\n",
                  "  impl: sar\n  bits: 9\n  range: 12\n  out_noise: 0.06\n"};
  const MvmNumerics& num = conv.num;
};

TEST(GraphNetwork, ForwardManyIsBitIdenticalForAnyThreadCountAndBatchSize) {
  // LeNet-5 on noisy PCM (programming noise, drift and read noise at 1 day, global drift
  // compensation, output noise, bound management) with a narrow datapath (6-bit activations,
  // 10-bit partial sums, calibrated on 32 images) so that clips and saturations happen. The
  // reference is forward() one image at a time; forward_many() over 300 images must give the
  // same bits and the same clip and saturation counts on 1, 2 and 7 threads and in batches of
  // 1, 13 and 256 images, and on a range that starts at image 100.
  NoisyLenet f;
  const Graph& g = f.g;
  const GraphMapping& map = f.map;
  const int64_t n = 300;
  Dataset d = fmnist(n);
  const ValueRanges ranges = calibrate(g, map, d.images.data(), 32, d.sample_size);
  GraphAnalogNetwork a(g, map, *f.device, f.num, WeightEncoding{}, 7);
  a.set_datapath(make_datapath(g, map, ranges, std::vector<char>(g.values.size(), 1), 6, 10));
  a.prepare(86400.0, Compensation::Global, 8);
  std::vector<float> want, y;
  for (int64_t i = 0; i < n; ++i) {
    a.forward(d.image(i), i, y);
    want.insert(want.end(), y.begin(), y.end());
  }
  const uint64_t saturations = a.psum_saturations(), clips = a.activation_clips();
  EXPECT_GT(saturations + clips, 0u);
  const size_t out = a.output_size();
  ASSERT_EQ(want.size(), size_t(n) * out);
  const std::pair<int, int> runs[] = {{1, 1}, {2, 13}, {7, 256}, {1, 256}, {7, 1}};
  for (const auto& [threads, batch] : runs) {
    const uint64_t s0 = a.psum_saturations(), c0 = a.activation_clips();
    const std::vector<float> got = a.forward_many(d.image(0), d.sample_size, 0, n, threads, batch);
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < got.size(); ++k)
      ASSERT_EQ(got[k], want[k]) << threads << " threads, batch " << batch << ", image " << k / out;
    EXPECT_EQ(a.psum_saturations() - s0, saturations) << threads << " threads, batch " << batch;
    EXPECT_EQ(a.activation_clips() - c0, clips) << threads << " threads, batch " << batch;
  }
  const std::vector<float> part = a.forward_many(d.image(100), d.sample_size, 100, 50, 2, 13);
  for (size_t k = 0; k < part.size(); ++k) ASSERT_EQ(part[k], want[100 * out + k]) << k;
}

TEST(GraphNetwork, Lenet5OnNoisyPcmIsDeterministicAndLowerThanExact) {
  NoisyLenet f;
  const Graph& g = f.g;
  const GraphMapping& map = f.map;
  Dataset d = fmnist(1000);
  GraphAnalogNetwork a(g, map, *f.device, f.num, WeightEncoding{}, 7),
      b(g, map, *f.device, f.num, WeightEncoding{}, 7);
  a.prepare(86400.0, Compensation::Global, 8);
  b.prepare(86400.0, Compensation::Global, 8);
  std::vector<float> ya, yb;
  for (int64_t i = 0; i < 20; ++i) {
    a.forward(d.image(i), i, ya);
    b.forward(d.image(i), i, yb);
    EXPECT_EQ(ya, yb);
  }
  MvmNumerics ideal;
  ideal.ideal = true;
  auto exact = make<DeviceModel>("  impl: ideal\n");
  GraphAnalogNetwork fp(g, map, *exact, ideal, WeightEncoding{}, 7);
  fp.prepare(0.0, Compensation::None, 8);
  int64_t noisy = correct(a, d), clean = correct(fp, d);
  // One day after programming with output noise 0.06 of full scale: LeNet's first layer has 25
  // rows, so its outputs are small against the noise and the ADC step (measured here: 82.9 %
  // against 91.9 % exact on these 1,000 images). Lower than exact, far above chance (10 %).
  EXPECT_LT(noisy, clean);
  EXPECT_GT(noisy, 500);
  a.forward(d.image(0), 0, ya);
  fp.forward(d.image(0), 0, yb);
  EXPECT_NE(ya, yb);
}

// Every shipped model (workloads/models/*.onnx) through the arrays in ideal numerics: the same
// predictions as the FP32 reference on the first PCMSIM_ZOO_IMAGES test images (300 by default);
// on all 10,000 the correct count must also equal the sidecar's PyTorch count.
TEST(GraphNetwork, ZooModelsInIdealModeMatchFp32) {
  const char* env = std::getenv("PCMSIM_ZOO_IMAGES");
  const int64_t n = env ? std::stoll(env) : 300;
  Dataset d = fmnist(n);
  auto device = make<DeviceModel>("  impl: ideal\n");
  MvmNumerics num;
  num.ideal = true;
  std::vector<std::string> models;
  for (const auto& e : std::filesystem::directory_iterator(kModels))
    if (e.path().extension() == ".onnx") models.push_back(e.path().stem().string());
  std::sort(models.begin(), models.end());
  ASSERT_GE(models.size(), 3u);
  for (const std::string& m : models) {
    Graph g = import_onnx_graph(kModels + m + ".onnx");
    GraphMapping map = map_graph(g, {64, 64, 256, 256, 1});
    GraphAnalogNetwork a(g, map, *device, num, WeightEncoding{}, 1);
    a.prepare(0.0, Compensation::None, 2);
    int64_t same = 0, ok_ref = 0, ok = 0;
    std::vector<float> y;
    for (int64_t i = 0; i < d.count; ++i) {
      std::vector<float> r = run_reference(g, d.image(i));
      a.forward(d.image(i), i, y);
      const int64_t pr = std::max_element(r.begin(), r.end()) - r.begin();
      const int64_t pa = std::max_element(y.begin(), y.end()) - y.begin();
      same += pr == pa;
      ok_ref += pr == d.labels[size_t(i)];
      ok += pa == d.labels[size_t(i)];
    }
    std::cout << "  " << m << ": " << map.layers.size() << " analog layers, " << map.blocks.size()
              << " arrays of 256x256, " << map.macs_per_image << " MACs per image; ideal " << ok
              << "/" << d.count << ", FP32 reference " << ok_ref << "/" << d.count << "\n"
              << mapping_report(g, map);
    EXPECT_EQ(ok, ok_ref) << m;
    EXPECT_GE(same, d.count - 1) << m;  // a tie between two logits may break either way
    if (d.count == 10000) {
      EXPECT_EQ(ok, sidecar_correct(m)) << m;
    }
  }
}

/// A device without noise whose conductances all drift by one exponent:
/// g(t) = g_T ((t + t0) / t0)^-nu with t0 = 20 s.
class UniformDrift : public DeviceModel {
 public:
  explicit UniformDrift(double nu) : m_nu(nu) {}
  double g_max_uS() const override { return 25.0; }
  bool exact() const override { return false; }
  void program(const float* target_uS, size_t n, const ProgramContext&,
               DeviceState& out) const override {
    out.g_prog_uS.assign(target_uS, target_uS + n);
    out.nu.assign(n, float(m_nu));
  }
  void read(const DeviceState& s, double t_s, const DrawKey&, float* out_uS) const override {
    const double d = std::pow((t_s + 20.0) / 20.0, -m_nu);
    for (size_t i = 0; i < s.g_prog_uS.size(); ++i) out_uS[i] = float(s.g_prog_uS[i] * d);
  }

 private:
  double m_nu;
};

/// Converters fine enough that their rounding is far below the effects tested: 16-bit DAC,
/// 16-bit ADC over +-16 (normalized units; step 4.9e-4), no output noise, bound management.
Converters fine_converters() {
  return Converters("  impl: uniform\n  bits: 16\n",
                    "  impl: sar\n  bits: 16\n  range: 16\n  out_noise: 0\n");
}

TEST(GraphNetwork, UniformDriftScalesEachLayerByItsClosedFormAndCompensationUndoesIt) {
  // Devices without noise whose conductances all drift as ((t + t0) / t0)^-nu: each analog
  // layer's output a day later is its time-0 output times d = ((86400 + 20) / 20)^-0.06 =
  // 0.605 (computed below in double). Two dense layers without biases and a ReLU between
  // them (ReLU(d z) = d ReLU(z)): the logits scale by d^2 = 0.366 without compensation; global
  // and per-column compensation, whose readouts see the same d, give back the time-0 logits.
  // Tolerance: the 16-bit converters' rounding, a few 1e-4 of each layer's outputs (1e-3 of
  // the largest logit; the scale d^2 is off by 0.63 of it).
  GraphBuilder b({64}, 5);
  const int h = b.unary(GraphOp::Relu, b.dense(0, 32, "fc1", false), "relu");
  Graph g = b.finish(b.dense(h, 10, "fc2", false));
  GraphMapping map = map_graph(g, {4, 16, 256, 256, 1});
  const UniformDrift device(0.06);
  const Converters fc = fine_converters();
  GraphAnalogNetwork a(g, map, device, fc.num, WeightEncoding{}, 3);
  const double d = std::pow((86400.0 + 20.0) / 20.0, -0.06);
  std::vector<float> x(64), y0, y;
  for (int img = 0; img < 20; ++img) {
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = float(std::sin(0.37 * double(i + 1) * double(img + 1)));
    a.prepare(0.0, Compensation::None, 4);
    a.forward(x.data(), img, y0);
    double max_y = 0;
    for (float v : y0) max_y = std::max(max_y, double(std::fabs(v)));
    ASSERT_GT(max_y, 0.1) << "image " << img;  // logits of some size: d^2 is visible
    a.prepare(86400.0, Compensation::None, 4);
    a.forward(x.data(), img, y);
    for (size_t k = 0; k < y.size(); ++k)
      EXPECT_NEAR(y[k], double(y0[k]) * d * d, 1e-3 * max_y) << "image " << img << ", logit " << k;
    for (Compensation c : {Compensation::Global, Compensation::PerColumn}) {
      a.prepare(86400.0, c, 4);
      a.forward(x.data(), img, y);
      // A per-column factor comes from its column's readouts alone, whose rounding is larger
      // against a column of small weights: 5e-3 there.
      const double tol = (c == Compensation::Global ? 1e-3 : 5e-3) * max_y;
      for (size_t k = 0; k < y.size(); ++k)
        EXPECT_NEAR(y[k], y0[k], tol)
            << compensation_name(c) << ", image " << img << ", logit " << k;
    }
  }
}

TEST(GraphNetwork, WithUniformDriftAndCompensationTheAccuracyIsTheDriftFreeOne) {
  // LeNet-5 (biases, max pooling) on fine converters and uniformly drifting devices: a year
  // after programming the drift (d = ((3.15e7 + 20) / 20)^-0.06 = 0.42 per layer) shifts the
  // logits against the digital biases and costs accuracy; global compensation restores each
  // layer's outputs to within the converters' rounding (about 1e-4), far below the logit
  // gaps that decide an image, so the top-1 count on 1,000 images is the drift-free one.
  Graph g = import_onnx_graph(kModels + "lenet5_fmnist.onnx");
  GraphMapping map = map_graph(g, {4, 16, 256, 256, 1});
  const UniformDrift device(0.06);
  const Converters fc = fine_converters();
  GraphAnalogNetwork a(g, map, device, fc.num, WeightEncoding{}, 3);
  Dataset data = fmnist(1000);
  a.prepare(0.0, Compensation::None, 4);
  const int64_t at0 = correct(a, data);
  a.prepare(3.15e7, Compensation::None, 4);
  const int64_t drifted = correct(a, data);
  a.prepare(3.15e7, Compensation::Global, 4);
  EXPECT_EQ(correct(a, data), at0);
  EXPECT_LT(drifted, at0);  // without compensation the drift costs accuracy
}

TEST(GraphNetwork, BatchnormCompensationReEstimatesTheDriftedLayersStatistics) {
  // A dense layer (64 -> 16, weights N(0, 1/64), digital bias b) and a BatchNorm node on
  // uniformly drifting devices a day after programming: the layer's output is
  // y_c = d sum_j W_jc x_j + b_c with d = ((86400 + 20) / 20)^-0.06 = 0.605. For calibration
  // inputs x_j ~ N(0.5, 1) independent, channel c has mean m_c = 0.5 d sum_j W_jc + b_c and
  // variance v_c = d^2 sum_j W_jc^2. compensation: batchnorm re-estimates both from N = 2,000
  // images; the node's new scale gamma / sqrt(v' + eps) and shift beta - m' scale give them
  // back. Each must be within 4 standard errors of the closed form: sqrt(v_c / N) for the
  // mean, v_c sqrt(2 / N) for the variance (the 16-bit converters' rounding is far below).
  GraphBuilder b({64}, 11);
  const int fc = b.dense(0, 16, "fc");
  Graph g = b.finish(b.batchnorm(fc, "bn"));
  GraphMapping map = map_graph(g, {4, 16, 256, 256, 1});
  const UniformDrift device(0.06);
  const Converters fcv = fine_converters();
  GraphAnalogNetwork a(g, map, device, fcv.num, WeightEncoding{}, 3);
  const int64_t N = 2000;
  std::mt19937_64 gen(5);
  std::normal_distribution<float> normal(0.5f, 1.0f);
  std::vector<float> cal(size_t(N) * 64);
  for (float& v : cal) v = normal(gen);
  a.set_batchnorm_calibration(cal.data(), 64, N);
  ASSERT_EQ(a.batchnorm_nodes(), std::vector<int>{1});
  a.prepare(86400.0, Compensation::BatchNorm, 4);
  const double d = std::pow((86400.0 + 20.0) / 20.0, -0.06);
  const GraphNode& dn = g.nodes[0];
  const GraphNode& bn = g.nodes[1];
  for (int c = 0; c < 16; ++c) {
    double sw = 0, sw2 = 0;
    for (int j = 0; j < 64; ++j) {
      const double w = dn.weight.data[size_t(j * 16 + c)];
      sw += w;
      sw2 += w * w;
    }
    const double m = 0.5 * d * sw + dn.bias.data[size_t(c)], v = d * d * sw2;
    const double scale = a.bn_scale(1)[size_t(c)], shift = a.bn_shift(1)[size_t(c)];
    const double v_est = std::pow(double(bn.bn_gamma[size_t(c)]) / scale, 2) - bn.bn_eps;
    const double m_est = (double(bn.bn_beta[size_t(c)]) - shift) / scale;
    EXPECT_NEAR(m_est, m, 4.0 * std::sqrt(v / double(N))) << "channel " << c;
    EXPECT_NEAR(v_est, v, 4.0 * v * std::sqrt(2.0 / double(N))) << "channel " << c;
    // The graph's own statistics (mean 0, variance 1) are far from these: the check can fail.
    EXPECT_GT(std::fabs(v - 1.0), 10.0 * v * std::sqrt(2.0 / double(N))) << "channel " << c;
  }
  // Any other compensation leaves the node's statistics as the graph has them.
  a.prepare(86400.0, Compensation::Global, 4);
  EXPECT_EQ(a.bn_scale(1), bn.scale);
  EXPECT_EQ(a.bn_shift(1), bn.shift);
}

TEST(GraphNetwork, BatchnormCompensationUndoesAUniformDriftExactly) {
  // Conv -> BatchNorm -> ReLU -> Conv -> BatchNorm on uniformly drifting devices: each
  // convolution's output is d times its time-0 output plus its undrifted digital bias, and a
  // BatchNorm node normalized with the statistics of that output over the calibration images
  // removes both d and the bias's shift: (d z + b - (d mean(z) + b)) / (d std(z)) is the time-0
  // value. So the outputs a year on with compensation: batchnorm equal those at time 0 with
  // compensation: batchnorm, up to epsilon against the shrunk variance (1e-4 of it) and the
  // converters' rounding, while without compensation they differ by tens of per cent. The
  // rounding: the ADC's step (4.9e-4 of the array's full scale) against outputs shrunk by
  // d = ((3.15e7 + 20) / 20)^-0.06 = 0.425 and then divided by their channel's spread, in two
  // layers; measured at most 1.3e-3 of the largest output: 5e-3 allowed.
  GraphBuilder b({2, 8, 8}, 13);
  const int c1 = b.conv(0, 6, 3, 1, 1, 1, "c1");
  const int r1 = b.unary(GraphOp::Relu, b.batchnorm(c1, "bn1"), "r1");
  Graph g = b.finish(b.batchnorm(b.conv(r1, 4, 3, 1, 1, 1, "c2"), "bn2"));
  GraphMapping map = map_graph(g, {4, 16, 256, 256, 1});
  const UniformDrift device(0.06);
  const Converters fcv = fine_converters();
  GraphAnalogNetwork a(g, map, device, fcv.num, WeightEncoding{}, 3);
  const int64_t N = 64, S = 2 * 8 * 8;
  std::vector<float> cal(size_t(N * S));
  for (size_t i = 0; i < cal.size(); ++i) cal[i] = float(std::sin(0.731 * double(i + 1)));
  a.set_batchnorm_calibration(cal.data(), S, N);
  const std::vector<float> x(cal.begin() + 5 * S, cal.begin() + 9 * S);  // 4 images
  a.prepare(0.0, Compensation::BatchNorm, 4);
  const std::vector<float> y0 = a.forward_many(x.data(), S, 0, 4);
  a.prepare(3.15e7, Compensation::BatchNorm, 4);
  const std::vector<float> y1 = a.forward_many(x.data(), S, 0, 4);
  a.prepare(3.15e7, Compensation::None, 4);
  const std::vector<float> yn = a.forward_many(x.data(), S, 0, 4);
  double max_y = 0, max_dn = 0;
  for (float v : y0) max_y = std::max(max_y, double(std::fabs(v)));
  ASSERT_GT(max_y, 0.5);
  for (size_t k = 0; k < y0.size(); ++k) {
    EXPECT_NEAR(y1[k], y0[k], 5e-3 * max_y) << "output " << k;
    max_dn = std::max(max_dn, std::fabs(double(yn[k]) - double(y0[k])));
  }
  EXPECT_GT(max_dn, 0.1 * max_y);  // the drift is visible without compensation
  // Bit-identical for any thread count: the statistics are summed image by image in order.
  set_default_threads(1);
  a.prepare(3.15e7, Compensation::BatchNorm, 4);
  const std::vector<float> s1 = a.bn_scale(1), h1 = a.bn_shift(4);
  set_default_threads(3);
  a.prepare(3.15e7, Compensation::BatchNorm, 4);
  EXPECT_EQ(a.bn_scale(1), s1);
  EXPECT_EQ(a.bn_shift(4), h1);
  set_default_threads(0);
}

}  // namespace
}  // namespace pcmsim
