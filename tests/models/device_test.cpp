#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/device/device_model.h"
#include "sim/framework/config.h"
#include "sim/framework/registry.h"

namespace pcmsim {
namespace {

std::unique_ptr<DeviceModel> make_device(const std::string& yaml) {
  static std::vector<std::unique_ptr<ConfigNode>> keep;
  keep.push_back(parse_config_text(yaml, "device.yaml"));
  Params top(keep.back().get(), "", std::make_shared<ParamContext>());
  Params p = top.child("device");
  return Registry<DeviceModel>::create(p);
}

struct Moments {
  double mean, std;
};

Moments program_many(const DeviceModel& d, float target, int n, uint64_t seed) {
  std::vector<float> t(static_cast<size_t>(n), target);
  std::vector<float> g(static_cast<size_t>(n));
  d.program(t.data(), g.data(), size_t(n), RngStream(seed, DrawKind::ProgNoise, 0, 0));
  double s = 0, s2 = 0;
  for (float v : g) {
    s += v;
    s2 += double(v) * v;
  }
  double mean = s / n;
  return {mean, std::sqrt(s2 / n - mean * mean)};
}

// sigma_prog(g) = 0.26348 + 1.9650 g_rel - 1.1731 g_rel^2 uS (Nandakumar et al. 2019).
TEST(PcmDevice, ProgrammingNoiseAtGmaxMatchesClosedForm) {
  auto d = make_device("device:\n  impl: pcm\n");
  const int n = 200000;
  Moments m = program_many(*d, 25.0f, n, 11);
  double sigma = 0.26348 + 1.9650 - 1.1731;  // 1.0552 uS
  EXPECT_NEAR(sigma, 1.055, 5e-4);
  EXPECT_NEAR(m.mean, 25.0, 5.0 * sigma / std::sqrt(n));
  EXPECT_NEAR(m.std, sigma, 5.0 * sigma / std::sqrt(2.0 * n));
}

TEST(PcmDevice, ProgrammingNoiseAtHalfGmaxMatchesClosedForm) {
  auto d = make_device("device:\n  impl: pcm\n");
  const int n = 200000;
  Moments m = program_many(*d, 12.5f, n, 12);
  double sigma = 0.26348 + 1.9650 * 0.5 - 1.1731 * 0.25;  // 0.953 uS
  EXPECT_NEAR(sigma, 0.953, 5e-4);
  EXPECT_NEAR(m.mean, 12.5, 5.0 * sigma / std::sqrt(n));
  EXPECT_NEAR(m.std, sigma, 5.0 * sigma / std::sqrt(2.0 * n));
}

TEST(PcmDevice, NoiseScalesWithGmaxAndScaleAndNeverGoesNegative) {
  auto d = make_device("device:\n  impl: pcm\n  g_max: 50uS\n  prog_noise_scale: 2\n");
  const int n = 100000;
  Moments m = program_many(*d, 50.0f, n, 13);
  double sigma = 2.0 * 1.0552 * 2.0;  // scale 2, g_max/25 = 2
  EXPECT_NEAR(m.std, sigma, 5.0 * sigma / std::sqrt(2.0 * n));
  std::vector<float> t(1000, 0.0f), g(1000);
  d->program(t.data(), g.data(), t.size(), RngStream(1, DrawKind::ProgNoise, 0, 0));
  for (float v : g) EXPECT_GE(v, 0.0f);
}

TEST(PcmDevice, ZeroScaleAndIdealAreExact) {
  auto zero = make_device("device:\n  impl: pcm\n  prog_noise_scale: 0\n");
  auto ideal = make_device("device:\n  impl: ideal\n");
  EXPECT_TRUE(zero->exact());
  EXPECT_TRUE(ideal->exact());
  std::vector<float> t = {0.0f, 3.0f, 25.0f}, g(3);
  ideal->program(t.data(), g.data(), 3, RngStream(1, DrawKind::ProgNoise, 0, 0));
  EXPECT_EQ(g, t);
}

TEST(PcmDevice, SameSeedSameDevices) {
  auto d = make_device("device:\n  impl: pcm\n");
  std::vector<float> t(64, 10.0f), a(64), b(64), c(64);
  d->program(t.data(), a.data(), 64, RngStream(5, DrawKind::ProgNoise, 1, 2));
  d->program(t.data(), b.data(), 64, RngStream(5, DrawKind::ProgNoise, 1, 2));
  d->program(t.data(), c.data(), 64, RngStream(6, DrawKind::ProgNoise, 1, 2));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(DeviceRegistry, ExpectedImplementationsAreRegistered) {
  for (const char* name :
       {"device/ideal", "device/pcm", "dac/uniform", "adc/sar", "array/crossbar"}) {
    EXPECT_EQ(RegistryIndex::find(name).size(), 1u) << name;
  }
  RegistryIndex::check();
}

}  // namespace
}  // namespace pcmsim
