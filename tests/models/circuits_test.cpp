#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/adc/adc.h"
#include "models/array/array.h"
#include "models/array/programmed_array.h"
#include "models/dac/dac.h"
#include "sim/base/config.h"
#include "sim/base/registry.h"

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
  RngStream noise{3, DrawKind::OutputNoise, 0, 0};
  ArrayFixture() {
    RngStream r(99, DrawKind::Fault, 0, 0);
    for (int i = 0; i < rows * cols; ++i) w.push_back(float(r.normal(uint64_t(i)) * 0.1));
    for (int i = 0; i < rows; ++i) x.push_back(float(r.uniform(uint64_t(10000 + i)) * 4.0 - 1.0));
  }
  MvmNumerics num(bool ideal_numerics, int passes = 1) const {
    MvmNumerics n;
    n.dac = dac.get();
    n.adc = adc.get();
    n.ideal = ideal_numerics;
    n.max_passes = passes;
    return n;
  }
};

TEST(ProgrammedArray, IdealMvmEqualsFp32MatMul) {
  ArrayFixture f;
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  std::vector<float> y(static_cast<size_t>(f.cols));
  MvmResult res = a.mvm(f.x.data(), y.data(), f.num(true), f.noise, 0);
  EXPECT_EQ(res.passes, 1);
  std::vector<float> ref = matmul(f.x, f.w, f.rows, f.cols);
  for (int c = 0; c < f.cols; ++c)
    EXPECT_NEAR(y[size_t(c)], ref[size_t(c)], 1e-5f * (1.0f + std::fabs(ref[size_t(c)])));
}

// Independent computation: abs-max scaling, 7-bit DAC, exact weights / max|W|, 9-bit ADC.
std::vector<float> expected_mvm(const ArrayFixture& f, const std::vector<float>& x, float red,
                                float* clipped_max) {
  float amax = 0, wmax = 0;
  for (float v : x) amax = std::max(amax, std::fabs(v));
  for (float v : f.w) wmax = std::max(wmax, std::fabs(v));
  std::vector<float> y(static_cast<size_t>(f.cols));
  *clipped_max = 0;
  for (int c = 0; c < f.cols; ++c) {
    double s = 0;
    for (int r = 0; r < f.rows; ++r)
      s += double(quantize_symmetric(x[size_t(r)] / (amax * red), 1.0f, 7)) *
           (f.w[size_t(r) * f.cols + c] / wmax);
    *clipped_max = std::max(*clipped_max, std::fabs(float(s)));
    y[size_t(c)] = quantize_symmetric(float(s), 12.0f, 9) * amax * red * wmax;
  }
  return y;
}

TEST(ProgrammedArray, HardwareMvmIsDacArrayAdcInThatOrder) {
  ArrayFixture f;
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  std::vector<float> y(static_cast<size_t>(f.cols));
  a.mvm(f.x.data(), y.data(), f.num(false), f.noise, 0);
  float peak;
  std::vector<float> expect = expected_mvm(f, f.x, 1.0f, &peak);
  for (int c = 0; c < f.cols; ++c)
    EXPECT_NEAR(y[size_t(c)], expect[size_t(c)], 1e-5f * (1.0f + std::fabs(expect[size_t(c)])))
        << c;
}

TEST(ProgrammedArray, BoundManagementHalvesTheInputUntilNothingClips) {
  // All weights equal: each column sums the 40 inputs; all-ones input gives 40 > 12 (clips),
  // halved 20 (clips), quartered 10: three passes.
  ArrayFixture f;
  std::vector<float> w(size_t(f.rows) * f.cols, 0.5f), x(static_cast<size_t>(f.rows), 2.0f);
  f.w = w;
  ProgrammedArray a(w.data(), f.rows, f.cols, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  std::vector<float> y(static_cast<size_t>(f.cols));
  MvmResult res = a.mvm(x.data(), y.data(), f.num(false, 5), f.noise, 0);
  EXPECT_EQ(res.passes, 3);
  float peak;
  std::vector<float> expect = expected_mvm(f, x, 4.0f, &peak);
  EXPECT_NEAR(y[0], expect[0], 1e-5f);
  EXPECT_NEAR(y[0], 40.0f, 0.05f * 40.0f);  // 10 on a 24/510 grid, times 4 x 2 x 0.5
  // Without bound management the output saturates at the ADC range.
  MvmResult once = a.mvm(x.data(), y.data(), f.num(false, 1), f.noise, 0);
  EXPECT_EQ(once.passes, 1);
  EXPECT_FLOAT_EQ(y[0], 12.0f * 2.0f * 0.5f);
  // At most max_passes passes, the last output kept even if it clips.
  MvmResult two = a.mvm(x.data(), y.data(), f.num(false, 2), f.noise, 0);
  EXPECT_EQ(two.passes, 2);
  EXPECT_FLOAT_EQ(y[0], 12.0f * 2.0f * 2.0f * 0.5f);
  // Each pass drives the array: the read energy basis adds up per pass (DAC inputs 1, q(1/2),
  // q(1/4) on the 7-bit grid).
  const double h = quantize_symmetric(0.5f, 1.0f, 7), q = quantize_symmetric(0.25f, 1.0f, 7);
  EXPECT_NEAR(res.read_basis, once.read_basis * (1.0 + h * h + q * q), 1e-6 * res.read_basis);
}

TEST(ProgrammedArray, ABatchGivesEachVectorWhatItGetsAlone) {
  // Noisy PCM devices, output noise, 2 phases, bound management (up to 5 passes), read codes
  // recorded, a 9-bit ADC over +-1.5: 10 vectors, the even ones dense (40 equal inputs: the
  // column sums, 40 weights of standard deviation 0.1 over max|W| ~ 0.3, spread over several
  // units, clip and are read again), the odd ones a single input (|y| <= 1: read once),
  // vector 4 all zero. Each vector's outputs, passes, reads, read basis and codes
  // in a batch must be bit for bit those of mvm() on it alone with the same draws.
  ArrayFixture f;
  auto adc = make<Adc>("adc", "adc:\n  impl: sar\n  bits: 9\n  range: 1.5\n  out_noise: 0.06\n");
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.pcm, ProgramContext{DrawKey{1, 0, 0}}, false);
  a.read_at(3600.0, DrawKey{4, 0, 0});
  MvmNumerics num = f.num(false, 5);
  num.adc = adc.get();
  num.phases = 2;
  num.record_codes = true;
  num.adcs = 8;
  const int n = 10;
  std::vector<float> x(size_t(n) * size_t(f.rows), 0.0f);
  std::vector<uint64_t> index(n);
  for (int v = 0; v < n; ++v) {
    for (int r = 0; r < f.rows; ++r)
      if ((v % 2 == 0 && v != 4) || r == v) x[size_t(v * f.rows + r)] = 0.5f + 0.1f * float(v);
    index[size_t(v)] = 1000 + uint64_t(v) * 777;
  }
  std::vector<float> y(size_t(n) * size_t(f.cols));
  std::vector<MvmResult> res(n);
  std::vector<uint32_t> start(n);
  ReadCodes codes = {9, 9};  // appended after what is there
  a.mvm_batch(x.data(), n, f.rows, y.data(), f.cols, num, f.noise, index.data(), res.data(), &codes,
              start.data());
  int repeated = 0, once = 0;
  for (int v = 0; v < n; ++v) {
    std::vector<float> y1(static_cast<size_t>(f.cols));
    ReadCodes c1;
    const MvmResult r1 =
        a.mvm(x.data() + v * f.rows, y1.data(), num, f.noise, index[size_t(v)], &c1);
    for (int c = 0; c < f.cols; ++c) ASSERT_EQ(y[size_t(v * f.cols + c)], y1[size_t(c)]) << v;
    EXPECT_EQ(res[size_t(v)].passes, r1.passes) << v;
    EXPECT_EQ(res[size_t(v)].reads, r1.reads) << v;
    EXPECT_EQ(res[size_t(v)].read_basis, r1.read_basis) << v;
    const size_t end = v + 1 < n ? start[size_t(v + 1)] : codes.size();
    EXPECT_EQ(ReadCodes(codes.begin() + start[size_t(v)], codes.begin() + long(end)), c1) << v;
    repeated += r1.passes > 1;
    once += r1.passes == 1;
  }
  EXPECT_EQ(start[0], 2u);
  EXPECT_GE(repeated, 3);  // the batch mixes vectors read again with vectors read once
  EXPECT_GE(once, 3);
}

TEST(ProgrammedArray, WeightScalingSetsTheUnitsOfTheAdcRange) {
  // One input, weights 0.5 and -0.25 (max|W| = 0.5), 9-bit ADC over +-12 (step 24/510).
  ArrayFixture f;
  std::vector<float> w = {0.5f, -0.25f}, x = {1.0f}, y(2);
  ProgrammedArray a(w.data(), 1, 2, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  MvmNumerics num = f.num(false);
  a.mvm(x.data(), y.data(), num, f.noise, 0);  // ADC sees 1 and -0.5 (full-scale units)
  EXPECT_FLOAT_EQ(y[0], quantize_symmetric(1.0f, 12.0f, 9) * 0.5f);
  EXPECT_FLOAT_EQ(y[1], quantize_symmetric(-0.5f, 12.0f, 9) * 0.5f);
  num.normalized_outputs = false;  // aihwkit's default: the ADC sees 0.5 and -0.25
  a.mvm(x.data(), y.data(), num, f.noise, 0);
  EXPECT_FLOAT_EQ(y[0], quantize_symmetric(0.5f, 12.0f, 9));
  EXPECT_FLOAT_EQ(y[1], quantize_symmetric(-0.25f, 12.0f, 9));
  EXPECT_NE(quantize_symmetric(1.0f, 12.0f, 9) * 0.5f, quantize_symmetric(0.5f, 12.0f, 9));
}

TEST(ProgrammedArray, OutputNoiseHasTheConfiguredStdBeforeTheAdc) {
  ArrayFixture f;
  auto noisy_adc =
      make<Adc>("adc", "adc:\n  impl: sar\n  bits: 16\n  range: 12\n  out_noise: 0.06\n");
  std::vector<float> w(size_t(f.rows) * f.cols, 0.0f), x(static_cast<size_t>(f.rows), 1.0f);
  w[0] = 1.0f;  // max|W| = 1: outputs are in normalized units; all columns but 0 read 0
  ProgrammedArray a(w.data(), f.rows, f.cols, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  MvmNumerics num = f.num(false);
  num.adc = noisy_adc.get();
  std::vector<float> y(static_cast<size_t>(f.cols));
  double s = 0, s2 = 0;
  int n = 0;
  for (int img = 0; img < 4000; ++img) {
    a.mvm(x.data(), y.data(), num, f.noise, uint64_t(img) * uint64_t(f.cols));
    for (int c = 1; c < f.cols; ++c, ++n) {
      s += y[size_t(c)];
      s2 += double(y[size_t(c)]) * y[size_t(c)];
    }
  }
  double sd = std::sqrt(s2 / n - (s / n) * (s / n));
  EXPECT_NEAR(s / n, 0.0, 5.0 * 0.06 / std::sqrt(n));
  EXPECT_NEAR(sd, 0.06, 5.0 * 0.06 / std::sqrt(2.0 * n) + 24.0 / 65534.0);  // + one 16-bit step
}

TEST(ProgrammedArray, PhasesAverageTheirOwnOutputNoiseAndRepeatTheWork) {
  // Same setup as above with a coarser 9-bit ADC and a larger noise (sigma 0.5, 10 ADC steps):
  // the mean of N phases, each with its own noise draw, has sigma / sqrt(N); the array is read
  // N times (read energy basis N x) and the draws differ from the one-phase MVM's.
  ArrayFixture f;
  auto noisy_adc =
      make<Adc>("adc", "adc:\n  impl: sar\n  bits: 9\n  range: 12\n  out_noise: 0.5\n");
  std::vector<float> w(size_t(f.rows) * f.cols, 0.0f), x(static_cast<size_t>(f.rows), 1.0f);
  w[0] = 1.0f;
  ProgrammedArray a(w.data(), f.rows, f.cols, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  auto sd_of = [&](int phases, double& x2g) {
    MvmNumerics num = f.num(false);
    num.adc = noisy_adc.get();
    num.phases = phases;
    std::vector<float> y(static_cast<size_t>(f.cols));
    double s = 0, s2 = 0;
    int n = 0;
    const uint64_t stride = uint64_t(phases) * uint64_t(f.cols);
    for (int img = 0; img < 1000; ++img) {
      const MvmResult r = a.mvm(x.data(), y.data(), num, f.noise, uint64_t(img) * stride);
      EXPECT_EQ(r.passes, 1);
      if (img == 0) x2g = r.read_basis;
      for (int c = 1; c < f.cols; ++c, ++n) {
        s += y[size_t(c)];
        s2 += double(y[size_t(c)]) * y[size_t(c)];
      }
    }
    EXPECT_NEAR(s / n, 0.0, 5.0 * 0.5 / std::sqrt(phases * double(n)));
    return std::sqrt(s2 / n - (s / n) * (s / n));
  };
  double x2g1 = 0, x2g4 = 0;
  const double n = 1000.0 * 23;
  const double step = 24.0 / 510.0, q = step * step / 12.0;  // 9-bit ADC over +-12
  const double sd1 = sd_of(1, x2g1), sd4 = sd_of(4, x2g4);
  EXPECT_NEAR(sd1, std::sqrt(0.25 + q), 5.0 * 0.5 / std::sqrt(2.0 * n));
  EXPECT_NEAR(sd4, std::sqrt(0.25 / 4 + q / 4), 5.0 * 0.25 / std::sqrt(2.0 * n));
  EXPECT_DOUBLE_EQ(x2g4, 4 * x2g1);
  // Ideal numerics skip the noise but not the work: four reads, the same outputs.
  MvmNumerics ideal = f.num(true);
  std::vector<float> y1(static_cast<size_t>(f.cols)), y4(static_cast<size_t>(f.cols));
  const MvmResult r1 = a.mvm(x.data(), y1.data(), ideal, f.noise, 0);
  ideal.phases = 4;
  const MvmResult r4 = a.mvm(x.data(), y4.data(), ideal, f.noise, 0);
  EXPECT_DOUBLE_EQ(r4.read_basis, 4 * r1.read_basis);
  EXPECT_EQ(y1, y4);
}

TEST(ProgrammedArray, ProgrammingNoisePerturbsOutputsByTheExpectedAmount) {
  ArrayFixture f;
  ProgrammedArray exact(f.w.data(), f.rows, f.cols, *f.ideal, ProgramContext{DrawKey{1, 0, 0}},
                        true);
  ProgrammedArray noisy(f.w.data(), f.rows, f.cols, *f.pcm, ProgramContext{DrawKey{1, 0, 0}},
                        false);
  std::vector<float> y0(static_cast<size_t>(f.cols)), y1(static_cast<size_t>(f.cols));
  exact.mvm(f.x.data(), y0.data(), f.num(true), f.noise, 0);
  noisy.mvm(f.x.data(), y1.data(), f.num(true), f.noise, 0);
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

TEST(ProgrammedArray, GlobalDriftCompensationRestoresTheMeanOutputMagnitude) {
  // Drift only (no programming or read noise) so that the effect is clean: after a year every
  // conductance has shrunk by ((t + t0)/t0)^-nu with nu around 0.05 to 0.1.
  ArrayFixture f;
  auto drift =
      make<DeviceModel>("d", "d:\n  impl: pcm\n  prog_noise_scale: 0\n  read_noise_scale: 0\n");
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *drift, ProgramContext{DrawKey{1, 0, 0}}, false);
  MvmNumerics num = f.num(true);
  std::vector<float> y0(static_cast<size_t>(f.cols)), y1(static_cast<size_t>(f.cols));
  a.mvm(f.x.data(), y0.data(), num, f.noise, 0);
  MvmResult work;
  std::vector<double> ref = a.one_hot_readout(num, f.noise, 0, work);
  EXPECT_EQ(work.passes, f.rows);  // one MVM per one-hot input
  a.read_at(365.0 * 86400.0, DrawKey{2, 0, 0});
  std::vector<double> cur = a.one_hot_readout(num, f.noise, 0, work);
  a.mvm(f.x.data(), y1.data(), num, f.noise, 0);
  auto mean_abs = [](const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += std::fabs(x) / double(v.size());
    return s;
  };
  double drifted = mean_abs(y1) / mean_abs(y0);
  EXPECT_LT(drifted, 0.6);  // a year of drift loses more than 40 %
  a.set_compensation(compensation_factors(Compensation::Global, ref, cur));
  a.mvm(f.x.data(), y1.data(), num, f.noise, 0);
  EXPECT_NEAR(mean_abs(y1) / mean_abs(y0), 1.0, 0.05);
  // The factor is reference / current mean |y| over all one-hot outputs.
  double r = 0, c = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    r += ref[i] / double(ref.size());
    c += cur[i] / double(cur.size());
  }
  EXPECT_NEAR(compensation_factors(Compensation::Global, ref, cur)[0], r / c, 1e-6 * r / c);
  // Per column: each column's own ratio.
  std::vector<float> per = compensation_factors(Compensation::PerColumn, ref, cur);
  for (size_t i = 0; i < ref.size(); ++i)
    EXPECT_NEAR(per[i], ref[i] / cur[i], 1e-5 * ref[i] / cur[i]);
  EXPECT_TRUE(compensation_factors(Compensation::None, ref, cur).empty());
  EXPECT_THROW(parse_compensation("local"), std::invalid_argument);
}

// Bit line with the sense amplifier after the last row; rho = r_wire * g_max. The segment below
// row s carries the currents of rows 0..s, node m sits at rho * (sum of the segment currents
// below it), and each device sees x_m - u_m (first order).
TEST(ProgrammedArray, IrDropMatchesTheBitLineClosedForm) {
  ArrayFixture f;
  MvmNumerics num = f.num(true);
  num.ir_drop = 0.01;
  std::vector<float> y(1);
  {
    // Two rows, both at g_max, both inputs full scale: nodes at 3 rho and 2 rho, y = 2 - 5 rho.
    std::vector<float> w = {1.0f, 1.0f}, x = {1.0f, 1.0f};
    ProgrammedArray a(w.data(), 2, 1, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true, 0.0, true);
    a.mvm(x.data(), y.data(), num, f.noise, 0);
    EXPECT_NEAR(y[0], 2.0 - 5 * 0.01, 1e-6);
  }
  {
    // Three rows, g = 1, 1, 0.5, x = 1, 0.5, 1: currents 1, 0.5, 0.5; segments 1, 1.5, 2;
    // nodes 4.5, 3.5, 2 rho; error 4.5 + 3.5 + 2 * 0.5 = 9 rho.
    std::vector<float> w = {1.0f, 1.0f, 0.5f}, x = {1.0f, 0.5f, 1.0f};
    ProgrammedArray a(w.data(), 3, 1, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true, 0.0, true);
    a.mvm(x.data(), y.data(), num, f.noise, 0);
    EXPECT_NEAR(y[0], 2.0 - 9 * 0.01, 1e-6);
  }
  {
    // Weights +1 and -1: G+ line loses 2 rho, G- line loses rho: y = 0 - (2 - 1) rho.
    std::vector<float> w = {1.0f, -1.0f}, x = {1.0f, 1.0f};
    ProgrammedArray a(w.data(), 2, 1, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true, 0.0, true);
    a.mvm(x.data(), y.data(), num, f.noise, 0);
    EXPECT_NEAR(y[0], -0.01, 1e-6);
    num.ir_drop = 0.0;
    a.mvm(x.data(), y.data(), num, f.noise, 0);
    EXPECT_NEAR(y[0], 0.0, 1e-7);
  }
}

TEST(ProgrammedArray, IrDropGrowsWithArraySize) {
  // All-ones array and inputs: segment s carries s + 1, so the loss is rho * sum_{k=1..R} k^2
  // = rho R (R+1)(2R+1) / 6, relative to the ideal R: rho (R+1)(2R+1) / 6, about R^2 / 3.
  ArrayFixture f;
  MvmNumerics num = f.num(true);
  num.ir_drop = 1e-5;
  auto rel_loss = [&](int rows) {
    std::vector<float> w(size_t(rows) * 8, 1.0f), x(static_cast<size_t>(rows), 1.0f), y(8);
    ProgrammedArray a(w.data(), rows, 8, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true, 0.0,
                      true);
    a.mvm(x.data(), y.data(), num, f.noise, 0);
    return (rows - y[0]) / rows;
  };
  EXPECT_NEAR(rel_loss(16), 1e-5 * 17 * 33 / 6.0, 1e-7);  // float outputs
  EXPECT_NEAR(rel_loss(64) / rel_loss(16), (65.0 * 129.0) / (17.0 * 33.0), 1e-3);
}

TEST(ProgrammedArray, ZeroInputGivesZeroAndNoReadEnergy) {
  ArrayFixture f;
  ProgrammedArray a(f.w.data(), f.rows, f.cols, *f.pcm, ProgramContext{DrawKey{1, 0, 0}}, false);
  std::vector<float> zero(static_cast<size_t>(f.rows), 0.0f), y(static_cast<size_t>(f.cols), 7.0f);
  MvmResult res = a.mvm(zero.data(), y.data(), f.num(false), f.noise, 0);
  EXPECT_EQ(res.read_basis, 0.0);
  EXPECT_EQ(res.passes, 1);
  for (float v : y) EXPECT_EQ(v, 0.0f);
}

TEST(ProgrammedArray, ReadEnergyBasisIsInputSquaredTimesConductance) {
  // One row, weights +w_max and -w_max/2: devices hold g_max and g_max/2; full-scale input.
  std::vector<float> w = {2.0f, -1.0f};
  ArrayFixture f;
  ProgrammedArray a(w.data(), 1, 2, *f.ideal, ProgramContext{DrawKey{1, 0, 0}}, true);
  std::vector<float> x = {3.0f}, y(2);
  double x2g = a.mvm(x.data(), y.data(), f.num(true), f.noise, 0).read_basis;
  EXPECT_DOUBLE_EQ(x2g, 1.0 * (25.0 + 12.5));
  auto array = make<ArrayModel>("a", "a:\n  impl: crossbar\n  v_read: 0.2V\n  t_int: 100ns\n");
  // E = V^2 G t = 0.04 V^2 x 37.5 uS x 100 ns = 150 fJ.
  EXPECT_NEAR(array->read_energy_pj(x2g, array->t_int_ns()), 0.15, 1e-12);
}

}  // namespace
}  // namespace pcmsim
