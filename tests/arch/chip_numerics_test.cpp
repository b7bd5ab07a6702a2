// Numerics through the cycle-level chip: FP32 in ideal mode, determinism per seed, the
// functional path bit for bit, ONNX's own test cases.

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <systemc>

#include "tests/arch/scenario.h"

namespace pcmsim {
namespace {

TEST(ChipScenario, IdealNumericsReproduceTheFp32NetworkAcrossSplitArrays) {
  Graph n = dense_chain({100, 70, 10}, 5);
  Scenario s("chip", chip_yaml(2, 8, 32, 32, 8), n, 4);
  sc_core::sc_start();
  ASSERT_EQ(s.map.blocks.size(), 15u);  // 4x3 + 3x1 blocks of 32x32
  for (int i = 0; i < 4; ++i) {
    std::vector<float> ref = run_reference(n, s.images.data() + i * 100);
    ASSERT_EQ(s.outputs[size_t(i)].size(), ref.size());
    for (size_t k = 0; k < ref.size(); ++k)
      EXPECT_NEAR(s.outputs[size_t(i)][k], ref[k], 1e-4 * (1 + std::fabs(ref[k])));
  }
  // MVMs per layer: images x arrays of the layer.
  EXPECT_EQ(s.step(0).mvms, 4u * 12);
  EXPECT_EQ(s.step(1).mvms, 4u * 3);
}

TEST(ChipScenario, HardwareNumericsAreDeterministicPerSeed) {
  Graph n = dense_chain({100, 70, 10}, 6);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  Scenario a("a", yaml, n, 3, 7, false);
  Scenario b("b", yaml, n, 3, 7, false);
  Scenario c("c", yaml, n, 3, 8, false);
  sc_core::sc_start();
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_NE(a.outputs, c.outputs);
  // Quantization and programming noise move the outputs away from FP32, but not far.
  std::vector<float> ref = run_reference(n, a.images.data());
  double err = 0, norm = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    err += std::pow(a.outputs[0][k] - ref[k], 2);
    norm += std::pow(ref[k], 2);
  }
  EXPECT_GT(std::sqrt(err / norm), 1e-4);
  EXPECT_LT(std::sqrt(err / norm), 0.3);
}

TEST(ChipScenario, FullAndFunctionalModesGiveBitIdenticalOutputs) {
  // PCM devices read one day after programming, output noise, bound management, global drift
  // compensation: the cycle-level chip and the functional forward pass use the same numerics.
  Graph n = dense_chain({100, 70, 10}, 9);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  yaml.replace(yaml.find("range: 12,"), 10, "range: 2, out_noise: 0.06,");  // outputs clip: BM runs
  Scenario s("chip", yaml, n, 6, 21, false, 86400.0, Compensation::Global);
  sc_core::sc_start();
  GraphAnalogNetwork functional(n, s.map, s.chip->device(), s.chip->numerics(), s.chip->encoding(),
                                21);
  functional.prepare(86400.0, Compensation::Global, 21 + 77);
  std::vector<float> y;
  for (int i = 5; i >= 0; --i) {  // any order: draws are keyed, not sequential
    functional.forward(s.images.data() + i * 100, i, y);
    EXPECT_EQ(y, s.outputs[size_t(i)]) << "image " << i;
  }
  EXPECT_GT(s.step(0).bm_repeats, 0u);
}

TEST(ChipScenario, CnnRunsThroughTheChipWithOneMvmPerOutputPixelAndArray) {
  Graph g = small_cnn(31);
  Scenario s("chip", chip_yaml(2, 8, 32, 32, 8), g, 3);
  sc_core::sc_start();
  ASSERT_EQ(s.chip->images_done(), 3);
  // Steps: conv1+relu1, dw, res, pool, conv3 (+flat), fc.
  const std::vector<Step>& st = s.chip->steps();
  ASSERT_EQ(st.size(), 6u);
  EXPECT_EQ(st[0].nodes, (std::vector<int>{0, 1}));
  EXPECT_EQ(st[2].layer, -1);
  // Arrays: conv1 36 rows -> 2; dw 9x1 groups packed 3 per 32x32 array -> 3; conv3 72 rows -> 3;
  // fc 144 rows -> 5.
  const std::vector<int> arrays = {2, 3, 0, 0, 3, 5};
  const std::vector<uint64_t> pixels = {100, 100, 0, 0, 9, 1};
  for (size_t i = 0; i < st.size(); ++i) {
    const size_t a = st[i].layer >= 0 ? s.map.layers[size_t(st[i].layer)].blocks.size() : 0;
    EXPECT_EQ(a, size_t(arrays[i])) << st[i].name;
    EXPECT_EQ(s.step(int(i)).mvms, 3 * pixels[i] * uint64_t(arrays[i])) << st[i].name;
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<float> ref = run_reference(g, s.images.data() + i * 400);
    ASSERT_EQ(s.outputs[size_t(i)].size(), ref.size());
    for (size_t k = 0; k < ref.size(); ++k)
      EXPECT_NEAR(s.outputs[size_t(i)][k], ref[k], 1e-4 * (1 + std::fabs(ref[k])));
  }
}

TEST(ChipScenario, CnnFullAndFunctionalModesGiveBitIdenticalOutputs) {
  // PCM at one hour, output noise, bound management, per-column compensation, packed depthwise
  // arrays, a layer in two copies and a quantized datapath (8-bit activations, 12-bit partial
  // sums, calibrated on the images themselves): the chip and the functional pass compute the
  // same bits.
  Graph g = small_cnn(32);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  yaml.replace(yaml.find("range: 12,"), 10, "range: 2.5, out_noise: 0.06,");
  const MappingOptions opt{true, {{"conv3", 2}}};
  Scenario s("chip", yaml, g, 4, 5, false, 3600.0, Compensation::PerColumn, opt);
  std::vector<char> stored(g.values.size());
  for (size_t v = 0; v < stored.size(); ++v) stored[v] = s.chip->schedule().stored(int(v));
  const Datapath dp =
      make_datapath(g, s.map, calibrate(g, s.map, s.images.data(), 4, 400), stored, 8, 12);
  s.analog->set_datapath(dp);
  sc_core::sc_start();
  GraphAnalogNetwork functional(g, s.map, s.chip->device(), s.chip->numerics(), s.chip->encoding(),
                                5);
  functional.set_datapath(dp);
  functional.prepare(3600.0, Compensation::PerColumn, 5 + 77);
  std::vector<float> y;
  for (int i = 3; i >= 0; --i) {
    functional.forward(s.images.data() + i * 400, i, y);
    EXPECT_EQ(y, s.outputs[size_t(i)]) << "image " << i;
  }
  uint64_t repeats = 0;
  for (int l = 0; l < int(s.chip->steps().size()); ++l) repeats += s.step(l).bm_repeats;
  EXPECT_GT(repeats, 0u);
  EXPECT_EQ(functional.activation_clips(), s.analog->activation_clips());
}

TEST(ChipScenario, OnnxConformanceCasesThroughTheCycleLevelChip) {
  // Every supported ONNX backend case on its own chip of 16 x 16 arrays, ideal numerics, all
  // chips in one simulation: the chip's outputs equal the expected outputs.
  std::vector<testing::OnnxCase> cases = testing::load_onnx_cases();
  std::vector<std::unique_ptr<Scenario>> chips;
  std::vector<const testing::OnnxCase*> ran;
  for (const auto& c : cases) {
    if (!c.skipped.empty()) continue;
    const int arrays = int(map_graph(c.graph, {1 << 14, 1, 16, 16, 1}).blocks.size());
    const int tiles = std::max(1, (arrays + 15) / 16);
    std::string yaml = chip_yaml(tiles, 16, 16, 16, 16);
    yaml.replace(yaml.find("size: 64KiB"), 11, "size: 64MiB");
    const int64_t batch = c.input.shape[0];
    chips.push_back(std::make_unique<Scenario>(("case" + std::to_string(ran.size())).c_str(), yaml,
                                               c.graph, int(batch)));
    std::copy(c.input.data.begin(), c.input.data.end(), chips.back()->images.begin());
    ran.push_back(&c);
  }
  sc_core::sc_start();
  int analog = 0;
  for (size_t i = 0; i < chips.size(); ++i) {
    std::vector<float> got;
    for (const auto& y : chips[i]->outputs) got.insert(got.end(), y.begin(), y.end());
    EXPECT_EQ(testing::compare_outputs(got, ran[i]->expected.data), "") << ran[i]->name;
    analog += !chips[i]->map.layers.empty();
  }
  std::cout << "ONNX conformance through the cycle-level chip: " << ran.size() << " cases, "
            << analog << " with Conv or Gemm on arrays\n";
  EXPECT_GE(ran.size(), 30u);
  EXPECT_GE(analog, 25);
}

}  // namespace
}  // namespace pcmsim
