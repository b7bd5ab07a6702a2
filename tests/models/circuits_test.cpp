#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/circuits/converters.h"
#include "models/circuits/crossbar.h"
#include "sim/framework/config.h"
#include "sim/framework/registry.h"

namespace pcmsim {
namespace {

template <class I>
std::unique_ptr<I> make(const std::string& key, const std::string& yaml) {
  static std::vector<std::unique_ptr<ConfigNode>> keep;
  keep.push_back(parse_config_text(yaml, "t.yaml"));
  Params top(keep.back().get(), "", std::make_shared<ParamContext>());
  Params p = top.child(key);
  return Registry<I>::create(p);
}

TEST(Quantize, SevenBitDacStepIsTwoOver126) {
  const float step = 2.0f / 126.0f;
  EXPECT_FLOAT_EQ(quantize_symmetric(1.0f, 1.0f, 7), 63 * step);
  EXPECT_FLOAT_EQ(quantize_symmetric(1.0f, 1.0f, 7), 1.0f);
  EXPECT_FLOAT_EQ(quantize_symmetric(-0.3f, 1.0f, 7), -19 * step);  // -0.3/step = -18.9
  EXPECT_FLOAT_EQ(quantize_symmetric(0.1f, 1.0f, 7), 6 * step);     // 6.3 -> 6
  EXPECT_FLOAT_EQ(quantize_symmetric(0.0f, 1.0f, 7), 0.0f);
  EXPECT_FLOAT_EQ(quantize_symmetric(1.7f, 1.0f, 7), 1.0f);    // clips
  EXPECT_FLOAT_EQ(quantize_symmetric(-9.0f, 1.0f, 7), -1.0f);  // clips
}

TEST(Quantize, NineBitAdcOverTwelve) {
  const float step = 24.0f / 510.0f;
  EXPECT_FLOAT_EQ(quantize_symmetric(12.0f, 12.0f, 9), 255 * step);
  EXPECT_FLOAT_EQ(quantize_symmetric(13.0f, 12.0f, 9), 12.0f);
  EXPECT_FLOAT_EQ(quantize_symmetric(1.0f, 12.0f, 9), 21 * step);  // 1/step = 21.25
  EXPECT_FLOAT_EQ(quantize_symmetric(-0.05f, 12.0f, 9), -1 * step);
}

TEST(Converters, DacAndAdcFromConfig) {
  auto dac =
      make<Dac>("dac", "dac:\n  impl: uniform\n  bits: 4\n  latency: 3\n  energy_per_bit: 1fJ\n");
  EXPECT_EQ(dac->bits(), 4);
  EXPECT_FLOAT_EQ(dac->convert(0.3f), 2.0f * (2.0f / 14.0f));  // 0.3 / (2/14) = 2.1 -> 2 steps
  EXPECT_EQ(dac->cost().latency, Cycles(3));
  EXPECT_DOUBLE_EQ(dac->cost().energy_pj, 4e-3);
  auto adc =
      make<Adc>("adc", "adc:\n  impl: sar\n  bits: 8\n  range: 4\n  fom: 10fJ\n  latency: 2\n");
  EXPECT_EQ(adc->bits(), 8);
  EXPECT_DOUBLE_EQ(adc->cost().energy_pj, 10e-3 * 256);  // Walden: FOM x 2^bits
  EXPECT_EQ(adc->cost().latency, Cycles(2));
  EXPECT_FLOAT_EQ(adc->convert(5.0f), 4.0f);
}

std::vector<float> matmul(const std::vector<float>& x, const std::vector<float>& w, int rows,
                          int cols) {
  std::vector<float> y(size_t(cols), 0.0f);
  for (int c = 0; c < cols; ++c) {
    double s = 0;
    for (int r = 0; r < rows; ++r) s += double(x[size_t(r)]) * w[size_t(r) * cols + c];
    y[size_t(c)] = float(s);
  }
  return y;
}

struct ArrayFixture {
  int rows = 40, cols = 24;
  std::vector<float> w, x;
  std::unique_ptr<DeviceModel> ideal = make<DeviceModel>("d", "d:\n  impl: ideal\n");
  std::unique_ptr<DeviceModel> pcm = make<DeviceModel>("d", "d:\n  impl: pcm\n");
  std::unique_ptr<Dac> dac = make<Dac>("dac", "dac:\n  impl: uniform\n  bits: 7\n");
  std::unique_ptr<Adc> adc = make<Adc>("adc", "adc:\n  impl: sar\n  bits: 9\n  range: 12\n");
  ArrayFixture() {
    RngStream r(99, DrawKind::Fault, 0, 0);
    for (int i = 0; i < rows * cols; ++i) w.push_back(float(r.normal(uint64_t(i)) * 0.1));
    for (int i = 0; i < rows; ++i) x.push_back(float(r.uniform(uint64_t(10000 + i)) * 4.0 - 1.0));
  }
};

TEST(ProgrammedArray, IdealMvmEqualsFp32MatMul) {
  ArrayFixture f;
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.ideal, RngStream(1, DrawKind::ProgNoise, 0, 0),
                    true);
  std::vector<float> y(size_t(f.cols));
  a.mvm(f.x.data(), y.data(), {f.dac.get(), f.adc.get(), true});
  std::vector<float> ref = matmul(f.x, f.w, f.rows, f.cols);
  for (int c = 0; c < f.cols; ++c)
    EXPECT_NEAR(y[size_t(c)], ref[size_t(c)], 1e-5f * (1.0f + std::fabs(ref[size_t(c)])));
}

TEST(ProgrammedArray, HardwareMvmIsDacArrayAdcInThatOrder) {
  ArrayFixture f;
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.ideal, RngStream(1, DrawKind::ProgNoise, 0, 0),
                    true);
  std::vector<float> y(size_t(f.cols));
  a.mvm(f.x.data(), y.data(), {f.dac.get(), f.adc.get(), false});
  // Independent computation: abs-max scaling, 7-bit DAC, exact weights / max|W|, 9-bit ADC.
  float amax = 0, wmax = 0;
  for (float v : f.x) amax = std::max(amax, std::fabs(v));
  for (float v : f.w) wmax = std::max(wmax, std::fabs(v));
  for (int c = 0; c < f.cols; ++c) {
    double s = 0;
    for (int r = 0; r < f.rows; ++r)
      s += double(quantize_symmetric(f.x[size_t(r)] / amax, 1.0f, 7)) *
           (f.w[size_t(r) * f.cols + c] / wmax);
    float expect = quantize_symmetric(float(s), 12.0f, 9) * amax * wmax;
    EXPECT_NEAR(y[size_t(c)], expect, 1e-5f * (1.0f + std::fabs(expect))) << c;
  }
}

TEST(ProgrammedArray, ProgrammingNoisePerturbsOutputsByTheExpectedAmount) {
  ArrayFixture f;
  ProgrammedArray exact(f.w.data(), f.rows, f.cols, *f.ideal,
                        RngStream(1, DrawKind::ProgNoise, 0, 0), true);
  ProgrammedArray noisy(f.w.data(), f.rows, f.cols, *f.pcm, RngStream(1, DrawKind::ProgNoise, 0, 0),
                        false);
  std::vector<float> y0(size_t(f.cols)), y1(size_t(f.cols));
  exact.mvm(f.x.data(), y0.data(), {f.dac.get(), f.adc.get(), true});
  noisy.mvm(f.x.data(), y1.data(), {f.dac.get(), f.adc.get(), true});
  // Each weight's error is (dG+ - dG-)/g_max * max|W| with sigma_prog between 0.26 and 1.06 uS
  // per device: the relative output error is of the order of sigma/g_max, a few percent.
  double err = 0, ref = 0;
  for (int c = 0; c < f.cols; ++c) {
    err += std::pow(y1[size_t(c)] - y0[size_t(c)], 2);
    ref += std::pow(y0[size_t(c)], 2);
  }
  double rel = std::sqrt(err / ref);
  EXPECT_GT(rel, 0.005);
  EXPECT_LT(rel, 0.5);
}

TEST(ProgrammedArray, ZeroInputGivesZeroAndNoReadEnergy) {
  ArrayFixture f;
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.pcm, RngStream(1, DrawKind::ProgNoise, 0, 0),
                    false);
  std::vector<float> zero(size_t(f.rows), 0.0f), y(size_t(f.cols), 7.0f);
  EXPECT_EQ(a.mvm(zero.data(), y.data(), {f.dac.get(), f.adc.get(), false}), 0.0);
  for (float v : y) EXPECT_EQ(v, 0.0f);
}

TEST(ProgrammedArray, ReadEnergyBasisIsInputSquaredTimesConductance) {
  // One row, weights +w_max and -w_max/2: devices hold g_max and g_max/2; full-scale input.
  std::vector<float> w = {2.0f, -1.0f};
  ArrayFixture f;
  ProgrammedArray a(w.data(), 1, 2, *f.ideal, RngStream(1, DrawKind::ProgNoise, 0, 0), true);
  std::vector<float> x = {3.0f}, y(2);
  double x2g = a.mvm(x.data(), y.data(), {f.dac.get(), f.adc.get(), true});
  EXPECT_DOUBLE_EQ(x2g, 1.0 * (25.0 + 12.5));
  auto array = make<ArrayModel>("a", "a:\n  impl: crossbar\n  v_read: 0.2V\n  t_int: 100ns\n");
  // E = V^2 G t = 0.04 V^2 x 37.5 uS x 100 ns = 150 fJ.
  EXPECT_NEAR(array->read_energy_pj(x2g), 0.15, 1e-12);
}

}  // namespace
}  // namespace pcmsim
