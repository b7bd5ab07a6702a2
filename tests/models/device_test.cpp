// PCM device model against the closed forms of Nandakumar et al. (2019) as used by aihwkit's
// PCMLikeNoiseModel. Statistical tests: fixed seeds, 5-standard-error tolerances from the sample
// size.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/device/device.h"
#include "sim/base/config.h"
#include "sim/base/registry.h"

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

Moments moments(const std::vector<float>& v) {
  double s = 0, s2 = 0;
  for (float x : v) {
    s += x;
    s2 += double(x) * x;
  }
  double mean = s / double(v.size());
  return {mean, std::sqrt(s2 / double(v.size()) - mean * mean)};
}

DeviceState program_many(const DeviceModel& d, float target, int n, uint64_t seed) {
  std::vector<float> t(static_cast<size_t>(n), target);
  DeviceState s;
  d.program(t.data(), t.size(), ProgramContext{DrawKey{seed, 0, 0}}, s);
  return s;
}

constexpr int kN = 200000;

// sigma_prog(g) = 0.26348 + 1.9650 g_rel - 1.1731 g_rel^2 uS.
TEST(PcmDevice, ProgrammingNoiseAtGmaxMatchesClosedForm) {
  auto d = make_device("device:\n  impl: pcm\n");
  Moments m = moments(program_many(*d, 25.0f, kN, 11).g_prog_uS);
  double sigma = 0.26348 + 1.9650 - 1.1731;
  EXPECT_NEAR(sigma, 1.055, 5e-4);
  EXPECT_NEAR(m.mean, 25.0, 5.0 * sigma / std::sqrt(kN));
  EXPECT_NEAR(m.std, sigma, 5.0 * sigma / std::sqrt(2.0 * kN));
}

TEST(PcmDevice, ProgrammingNoiseAtHalfGmaxMatchesClosedForm) {
  auto d = make_device("device:\n  impl: pcm\n");
  Moments m = moments(program_many(*d, 12.5f, kN, 12).g_prog_uS);
  double sigma = 0.26348 + 1.9650 * 0.5 - 1.1731 * 0.25;
  EXPECT_NEAR(sigma, 0.953, 5e-4);
  EXPECT_NEAR(m.mean, 12.5, 5.0 * sigma / std::sqrt(kN));
  EXPECT_NEAR(m.std, sigma, 5.0 * sigma / std::sqrt(2.0 * kN));
}

TEST(PcmDevice, NoiseScalesWithGmaxAndScaleAndNeverGoesNegative) {
  auto d = make_device("device:\n  impl: pcm\n  g_max: 50uS\n  prog_noise_scale: 2\n");
  Moments m = moments(program_many(*d, 50.0f, kN, 13).g_prog_uS);
  double sigma = 2.0 * (0.26348 + 1.9650 - 1.1731) * 2.0;  // scale 2, g_max/25 = 2
  EXPECT_NEAR(m.std, sigma, 5.0 * sigma / std::sqrt(2.0 * kN));
  for (float v : program_many(*d, 0.0f, 1000, 1).g_prog_uS) EXPECT_GE(v, 0.0f);
}

// mu_nu = clamp(-0.0155 ln g_rel + 0.0244, 0.049, 0.1), sigma_nu = clamp(-0.0125 ln g_rel
// - 0.0059, 0.008, 0.045), nu = |mu_nu + sigma_nu N|.
TEST(PcmDevice, DriftExponentIs0049AboveThirtyPercentOfGmax) {
  auto d = make_device("device:\n  impl: pcm\n");
  for (float frac : {0.3f, 0.5f, 1.0f}) {
    double g_rel = frac;
    double sig = std::clamp(-0.0125 * std::log(g_rel) - 0.0059, 0.008, 0.045);
    Moments m = moments(program_many(*d, 25.0f * frac, kN, 14).nu);
    EXPECT_NEAR(m.mean, 0.049, 5.0 * sig / std::sqrt(kN)) << frac;
    EXPECT_NEAR(m.std, sig, 5.0 * sig / std::sqrt(2.0 * kN)) << frac;
  }
}

TEST(PcmDevice, DriftExponentIs01TowardsZeroConductance) {
  auto d = make_device("device:\n  impl: pcm\n");
  // At g -> 0: mu = 0.1, sigma = 0.045 (both clamped); nu = |N(0.1, 0.045^2)| has the folded
  // normal mean sigma sqrt(2/pi) exp(-mu^2 / 2 sigma^2) + mu (1 - 2 Phi(-mu / sigma)).
  const double mu = 0.1, sig = 0.045;
  const double folded = sig * std::sqrt(2.0 / M_PI) * std::exp(-mu * mu / (2 * sig * sig)) +
                        mu * (1.0 - std::erfc(mu / sig / std::sqrt(2.0)));
  EXPECT_NEAR(folded, 0.1004, 1e-4);
  Moments m = moments(program_many(*d, 0.0f, kN, 15).nu);
  EXPECT_NEAR(m.mean, folded, 5.0 * sig / std::sqrt(kN));
  for (float nu : program_many(*d, 0.0f, 1000, 16).nu) EXPECT_GE(nu, 0.0f);
}

TEST(PcmDevice, DriftAfterOneDayFollowsThePowerLaw) {
  auto d = make_device("device:\n  impl: pcm\n  read_noise_scale: 0\n");
  DeviceState s;
  s.g_prog_uS = {25.0f, 10.0f, 3.0f};
  s.nu = {0.049f, 0.049f, 0.1f};
  std::vector<float> g(3);
  d->read(s, 86400.0, DrawKey{1, 0, 0}, g.data());
  // t0 = 20 s: factor ((86400 + 20) / 20)^(-nu).
  EXPECT_NEAR(g[0], 25.0 * std::pow(86420.0 / 20.0, -0.049), 1e-5);
  EXPECT_NEAR(g[0] / 25.0, 0.663524, 1e-5);
  EXPECT_NEAR(g[1], 10.0 * std::pow(4321.0, -0.049), 1e-5);
  EXPECT_NEAR(g[2], 3.0 * std::pow(4321.0, -0.1), 1e-5);
  d->read(s, 0.0, DrawKey{1, 0, 0}, g.data());
  EXPECT_EQ(g[0], 25.0f);  // no drift at t = 0
}

TEST(PcmDevice, ReadNoiseAtGmaxAndTimeZeroMatchesClosedForm) {
  auto d = make_device("device:\n  impl: pcm\n");
  DeviceState s;
  s.g_prog_uS.assign(kN, 25.0f);
  s.nu.assign(kN, 0.05f);
  std::vector<float> g(kN);
  d->read(s, 0.0, DrawKey{17, 0, 0}, g.data());
  const double rel = 0.0088 * std::sqrt(std::log((20.0 + 250e-9) / 500e-9));
  EXPECT_NEAR(rel, 0.036818, 1e-6);
  Moments m = moments(g);
  EXPECT_NEAR(m.mean / 25.0, 1.0, 5.0 * rel / std::sqrt(kN));
  EXPECT_NEAR(m.std / 25.0, rel, 5.0 * rel / std::sqrt(2.0 * kN));
}

TEST(PcmDevice, ReadNoiseGrowsWithTimeAndLowConductance) {
  auto d = make_device("device:\n  impl: pcm\n  drift_scale: 0\n");
  DeviceState s;
  s.g_prog_uS.assign(kN, 2.5f);  // g_rel = 0.1: Q_s = 0.0088 / 0.1^0.65 = 0.03925
  s.nu.assign(kN, 0.0f);
  std::vector<float> g(kN);
  const double t = 31536000.0;  // one year
  d->read(s, t, DrawKey{18, 0, 0}, g.data());
  const double rel =
      0.0088 / std::pow(0.1, 0.65) * std::sqrt(std::log((t + 20.0 + 250e-9) / 500e-9));
  Moments m = moments(g);
  EXPECT_NEAR(m.std / 2.5, rel, 5.0 * rel / std::sqrt(2.0 * kN));
}

TEST(PcmDevice, ReadsReuseTheProgrammedDevicesAndRedrawOnlyReadNoise) {
  auto d = make_device("device:\n  impl: pcm\n");
  DeviceState s = program_many(*d, 20.0f, 64, 5);
  DeviceState again = program_many(*d, 20.0f, 64, 5);
  EXPECT_EQ(s.g_prog_uS, again.g_prog_uS);
  EXPECT_EQ(s.nu, again.nu);
  std::vector<float> a(64), b(64), c(64);
  d->read(s, 3600.0, DrawKey{100, 0, 0}, a.data());
  d->read(s, 3600.0, DrawKey{100, 0, 0}, b.data());
  d->read(s, 3600.0, DrawKey{101, 0, 0}, c.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(program_many(*d, 20.0f, 64, 6).g_prog_uS, s.g_prog_uS);
}

TEST(PcmDevice, ZeroScalesAndIdealAreExact) {
  auto zero = make_device(
      "device:\n  impl: pcm\n  prog_noise_scale: 0\n  drift_scale: 0\n  read_noise_scale: 0\n");
  auto ideal = make_device("device:\n  impl: ideal\n");
  EXPECT_TRUE(zero->exact());
  EXPECT_TRUE(ideal->exact());
  EXPECT_FALSE(make_device("device:\n  impl: pcm\n")->exact());
  std::vector<float> t = {0.0f, 3.0f, 25.0f}, g(3);
  DeviceState s;
  ideal->program(t.data(), 3, ProgramContext{DrawKey{1, 0, 0}}, s);
  ideal->read(s, 1e6, DrawKey{1, 0, 0}, g.data());
  EXPECT_EQ(g, t);
}

TEST(PcmDevice, StuckAtFaultsAtTheConfiguredRates) {
  auto d = make_device("device:\n  impl: pcm\n  stuck_set_rate: 0.02\n  stuck_reset_rate: 0.05\n");
  EXPECT_FALSE(d->exact());
  DeviceState s = program_many(*d, 12.5f, kN, 19);
  int set = 0, reset = 0;
  for (size_t i = 0; i < s.g_prog_uS.size(); ++i) {
    if (s.g_prog_uS[i] == 25.0f && s.nu[i] == 0.0f) ++set;
    if (s.g_prog_uS[i] == 0.0f && s.nu[i] == 0.0f) ++reset;
  }
  // Binomial standard errors; a healthy device lands exactly on 0 or g_max with probability 0.
  EXPECT_NEAR(double(set) / kN, 0.02, 5.0 * std::sqrt(0.02 * 0.98 / kN));
  EXPECT_NEAR(double(reset) / kN, 0.05, 5.0 * std::sqrt(0.05 * 0.95 / kN));
}

TEST(PcmDevice, BadParametersAreErrors) {
  auto error_of = [](const std::string& yaml) {
    try {
      make_device(yaml);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of("device:\n  impl: pcm\n  g_max: -5uS\n"),
            "device.yaml:3: device.g_max = -5uS: not in [0.001, 1000000] uS");
  EXPECT_EQ(error_of("device:\n  impl: pcm\n  stuck_set_rate: 1.5\n"),
            "device.yaml:3: device.stuck_set_rate = 1.5: not in [0, 1]");
  EXPECT_EQ(
      error_of("device:\n  impl: pcm\n  stuck_set_rate: 0.6\n  stuck_reset_rate: 0.5\n"),
      "device.yaml:4: device.stuck_reset_rate = 0.5: stuck_set_rate + stuck_reset_rate exceeds 1");
  EXPECT_EQ(error_of("device:\n  impl: pcm\n  t0: 20\n"),
            "device.yaml:3: device.t0 = 20: cannot read as float in s: missing unit (expected a "
            "time such as 1s)");
  EXPECT_EQ(error_of("device:\n  impl: pcm\n  drift_scale: -1\n"),
            "device.yaml:3: device.drift_scale = -1: not in [0, 100]");
}

TEST(DeviceRegistry, ExpectedImplementationsAreRegistered) {
  for (const char* name :
       {"device/ideal", "device/pcm", "dac/uniform", "adc/sar", "array/crossbar"}) {
    EXPECT_EQ(RegistryIndex::find(name).size(), 1u) << name;
  }
  RegistryIndex::check();
}

TEST(DeriveSeed, IndependentAndStable) {
  EXPECT_EQ(derive_seed(1, 2, 3), derive_seed(1, 2, 3));
  EXPECT_NE(derive_seed(1, 2, 3), derive_seed(1, 3, 2));
  EXPECT_NE(derive_seed(1, 2, 3), derive_seed(2, 2, 3));
}

}  // namespace
}  // namespace pcmsim
