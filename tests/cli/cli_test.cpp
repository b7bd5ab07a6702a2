// End-to-end tests of the pcmsim binary: the shipped runs, their outputs, the commands.

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <map>
#include <vector>

#include "tests/cli/cli_util.h"
#include "tests/workloads/onnx_builder.h"

namespace fs = std::filesystem;

namespace pcmsim {
namespace {

using namespace testing;  // NOLINT: the end-to-end tests' helpers

TEST(Cli, CifarFileWithPerChannelNormalizationRunsEndToEnd) {
  TempDir d;
  // Logits 0..2 = the mean of the R, G, B planes (GlobalAveragePool, then a 3 -> 10 Gemm that
  // passes them through; classes 3..9 get -1).
  testing::OnnxBuilder ob({3, 32, 32});
  std::vector<float> w(3 * 10, 0.0f), bias(10, -1.0f);
  for (int c = 0; c < 3; ++c) {
    w[size_t(c * 10 + c)] = 1.0f;
    bias[size_t(c)] = 0.0f;
  }
  ob.initializer("W", {3, 10}, w);
  ob.initializer("B", {10}, bias);
  ob.node("GlobalAveragePool", {"input"}, "g");
  ob.node("Flatten", {"g"}, "f");
  ob.node("Gemm", {"f", "W", "B"}, "logits");
  ob.output("logits");
  ob.save(d.path("rgb.onnx"));
  // Six records: plane k % 3 bright; labels right for the first four, wrong for the last two.
  std::string bytes;
  for (int k = 0; k < 6; ++k) {
    bytes += char(k < 4 ? k % 3 : 9);
    for (int c = 0; c < 3; ++c) bytes += std::string(1024, char(c == k % 3 ? 200 : 10));
  }
  std::string bin = d.file("test_batch.bin", bytes);
  std::string cfg = small_run(d, d.path("rgb.onnx"),
                              "    format: cifar10\n    images: " + bin +
                                  "\n  preprocessing:\n    channel_mean: [0.5, 0.4, 0.3]\n"
                                  "    channel_std: [0.25, 0.25, 0.25]\n");
  Result r = run("run " + cfg + " --no-progress --out " + d.path("o"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = stats(d.path("o"));
  EXPECT_EQ(j["run"]["images"].get<int>(), 6);
  EXPECT_EQ(j["run"]["correct"].get<int>(), 4);
  // The same file whose planes cannot be told apart by the wrong means: G's mean is far above.
  std::string cfg2 = small_run(d, d.path("rgb.onnx"),
                               "    format: cifar10\n    images: " + bin +
                                   "\n  preprocessing:\n    channel_mean: [0.5, 2.0, 0.3]\n"
                                   "    channel_std: [0.25, 0.25, 0.25]\n");
  Result r2 = run("run " + cfg2 + " --no-progress --out " + d.path("o2"));
  ASSERT_EQ(r2.rc, 0) << r2.out;
  EXPECT_LT(stats(d.path("o2"))["run"]["correct"].get<int>(), 4);
}

TEST(Cli, SyntheticInputsGiveTimingAndEnergyWithoutAccuracy) {
  TempDir d;
  std::string cfg = small_run(d, kSrc + "/workloads/models/lenet5_fmnist.onnx",
                              "    format: synthetic\n    samples: 2\n");
  Result r = run("run " + cfg + " --no-progress --out " + d.path("o"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("accuracy    not measured (synthetic inputs)"), std::string::npos) << r.out;
  auto j = stats(d.path("o"));
  EXPECT_EQ(j["run"]["images"].get<int>(), 2);
  EXPECT_EQ(j["layers"]["/conv1/Conv"]["mvms"]["value"].get<int>(), 2 * 784);
  Result again = run("run " + cfg + " --no-progress --out " + d.path("o2"));
  EXPECT_EQ(slurp(d.path("o/stats.json")), slurp(d.path("o2/stats.json")));
}

/// The rows of layers.csv as column name -> text.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::vector<std::map<std::string, std::string>> rows;
  std::stringstream in(text);
  std::string line, cell;
  std::vector<std::string> head;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (head.empty()) {
      head = cells;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < head.size() && i < cells.size(); ++i) row[head[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

TEST(Cli, Lenet5RunsOnNoisyPcmThroughTheCycleLevelChipWithClosedFormMvmCounts) {
  TempDir d;
  Result r =
      run("run configs/zoo/lenet5.yaml --no-progress -p simulation.images=20 --out " + d.path("o"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = stats(d.path("o"));
  // Output pixels x arrays per image, from the architecture: conv1 6@5x5 pad 2 on 28x28 -> 28x28
  // outputs, 25 x 6 matrix on one array; conv2 16@5x5 on 14x14 -> 10x10, 150 x 16 on one; fc1
  // 400 x 120 -> 2 arrays (256 rows each); fc2, fc3 one each.
  const std::map<std::string, int> expect = {{"/conv1/Conv", 784 * 1},
                                             {"/conv2/Conv", 100 * 1},
                                             {"/fc1/Gemm", 1 * 2},
                                             {"/fc2/Gemm", 1},
                                             {"/fc3/Gemm", 1}};
  for (const auto& kv : expect) {
    const auto& l = j["layers"][kv.first];
    EXPECT_EQ(l["mvms"]["value"].get<int>() - l["bm_repeats"]["value"].get<int>(), 20 * kv.second)
        << kv.first;
  }
  EXPECT_EQ(j["layers"]["/pool1/MaxPool"]["mvms"]["value"].get<int>(), 0);
  EXPECT_GT(j["run"]["accuracy"].get<double>(), 0.7);
  EXPECT_NE(slurp(d.path("o/mapping.txt")).find("/conv2/Conv"), std::string::npos);
}

TEST(Cli, EveryZooCnnRunsOnNoisyPcmThroughTheCycleLevelChip) {
  for (const char* m : {"resnet14", "vgg8", "mobilenet"}) {
    TempDir d;
    Result r = run(std::string("run configs/zoo/") + m +
                   ".yaml --no-progress -p simulation.images=4 --out " + d.path("o"));
    ASSERT_EQ(r.rc, 0) << m << "\n" << r.out;
    auto j = stats(d.path("o"));
    // Every analog step: one MVM per output pixel and array of one copy, per image.
    int analog = 0;
    for (const auto& row : csv_rows(slurp(d.path("o/layers.csv")))) {
      if (row.at("runs_on") != "arrays") continue;
      ++analog;
      const auto& l = j["layers"][row.at("step")];
      EXPECT_EQ(l["mvms"]["value"].get<int64_t>() - l["bm_repeats"]["value"].get<int64_t>(),
                4 * std::stoll(row.at("pixels")) * std::stoll(row.at("arrays")))
          << m << " " << row.at("step");
    }
    EXPECT_GE(analog, 8) << m;
    EXPECT_GT(j["run"]["energy_per_image_pj"].get<double>(), 0.0) << m;
  }
}

TEST(Cli, IdealRunMatchesTheFp32AccuracyOfTheOnnxFile) {
  TempDir d;
  Result r = run("run configs/ideal.yaml --no-progress --out " + d.path("o"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = stats(d.path("o"));
  EXPECT_EQ(j["run"]["images"], 10000);
  // The sidecar's count comes from PyTorch (and an independent numpy pass) on the same file.
  EXPECT_EQ(j["run"]["correct"], j["run"]["fp32_correct"]);
  EXPECT_EQ(j["run"]["fp32_correct"], 8888);
  for (const char* f : {"report.txt", "stats.json", "layers.csv", "resolved_config.yaml"}) {
    EXPECT_TRUE(fs::exists(d.path("o/") + f)) << f;
  }
  EXPECT_NE(r.out.find("accuracy    top-1 88.88 % (8888/10000)"), std::string::npos) << r.out;
}

TEST(Cli, NoisyRunIsLowerAndRepeatable) {
  TempDir d;
  Result a = run("run configs/default.yaml --no-progress --out " + d.path("a"));
  Result b = run("run configs/default.yaml --no-progress --out " + d.path("b"));
  Result c =
      run("run configs/default.yaml --no-progress -p simulation.seed=2 --out " + d.path("c"));
  ASSERT_EQ(a.rc, 0) << a.out;
  ASSERT_EQ(b.rc, 0) << b.out;
  ASSERT_EQ(c.rc, 0) << c.out;
  auto ja = stats(d.path("a"));
  EXPECT_LT(ja["run"]["correct"].get<int>(), ja["run"]["fp32_correct"].get<int>());
  // Same seed, same config: identical files.
  for (const char* f : {"stats.json", "layers.csv", "report.txt", "resolved_config.yaml"}) {
    EXPECT_EQ(slurp(d.path("a/") + f), slurp(d.path("b/") + f)) << f;
  }
  EXPECT_NE(slurp(d.path("a/stats.json")), slurp(d.path("c/stats.json")));
}

TEST(Cli, TheThreadCountChangesNoOutput) {
  // configs/drift.yaml on 300 images: programming, drift and read noise, compensation readouts,
  // the accuracy-over-time table over 3 programmings, all on 1, 2 and 3 threads: the output
  // files must be byte for byte the same (every draw is keyed, each image's and array's results
  // go to their own place). A bad thread count is a usage error (exit status 2).
  TempDir d;
  const std::string common =
      "run configs/drift.yaml --no-progress -p simulation.images=300 -p inference.images=300 ";
  for (const char* t : {"1", "2", "3"}) {
    Result r = run(common + "--threads " + t + " --out " + d.path(std::string("t") + t));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  for (const char* f : {"stats.json", "layers.csv", "report.txt"}) {
    EXPECT_EQ(slurp(d.path("t1/") + f), slurp(d.path("t2/") + f)) << f;
    EXPECT_EQ(slurp(d.path("t1/") + f), slurp(d.path("t3/") + f)) << f;
  }
  EXPECT_FALSE(stats(d.path("t1"))["inference"].empty());
  Result bad = run("run --no-progress --threads -1 --out " + d.path("bad"));
  EXPECT_EQ(bad.rc, 2) << bad.out;  // a usage error
  EXPECT_NE(bad.out.find("--threads must be 0 (one per core) or more"), std::string::npos)
      << bad.out;
  EXPECT_FALSE(fs::exists(d.path("bad")));
}

TEST(Cli, BatchnormCompensationIsTheSameInTheChipAndTheAccuracyTableOnAnyThreadCount) {
  // The hardware-aware ResNet-14 with its BatchNorm nodes run digitally, a day after
  // programming, its statistics re-estimated on 64 training images: the cycle-level chip's 40
  // images and the functional accuracy-over-time cell of the same programming, time and
  // compensation are the same computation (repeat 0 is the chip's programming), so their
  // correct counts are equal; 1 and 2 threads give the same bytes. The report charges the
  // calibration images: 64 images' MVMs, apart from the per-image figures.
  TempDir d;
  const std::string common =
      "run configs/aihwkit.yaml --no-progress -p chip.tiles=16 -p "
      "workload.onnx=workloads/models/resnet14_fmnist_hwa.onnx -p mapping.batchnorm=digital -p "
      "simulation.images=40 -p simulation.time=1d -p simulation.compensation=batchnorm -p "
      "workload.calibration.batchnorm_images=64 -p inference.times=[1d] -p "
      "inference.compensation=[batchnorm] -p inference.repeats=1 -p inference.images=40 ";
  for (const char* t : {"1", "2"}) {
    Result r = run(common + "--threads " + t + " --out " + d.path(std::string("t") + t));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  EXPECT_EQ(slurp(d.path("t1/stats.json")), slurp(d.path("t2/stats.json")));
  const nlohmann::json j = stats(d.path("t1"));
  const double cell = j["inference"][0]["accuracy"][0];
  EXPECT_EQ(j["run"]["correct"].get<int64_t>(), std::llround(cell * 40.0));
  EXPECT_EQ(j["run"]["compensation_images"], 64);
  // One MVM per output pixel and array: the stem alone takes 28 x 28 = 784 per image, so 64
  // images take more than 64,000.
  EXPECT_GT(j["run"]["compensation_mvms"].get<uint64_t>(), 64u * 1000u);
  const std::string report = slurp(d.path("t1/report.txt"));
  EXPECT_NE(report.find("compensation batchnorm: 64 calibration images through the chip"),
            std::string::npos)
      << report;
}

TEST(Cli, TheDatapathsPrecisionMovesAccuracyAndFloatSwitchesItOff) {
  // The default chip on 1000 images: 4-bit activations (16 levels over the calibrated range)
  // cost accuracy against 16-bit ones, and count clips; a float datapath quantizes nothing and
  // agrees with a 32-bit one (a 2^-31 relative rounding moves no prediction here).
  TempDir d;
  auto go = [&](const std::string& name, const std::string& args) {
    Result r =
        run("run --no-progress -p simulation.images=1000 " + args + " --out " + d.path(name));
    EXPECT_EQ(r.rc, 0) << r.out;
    return stats(d.path(name));
  };
  auto a4 = go("a4", "-p chip.activation_bits=4");
  auto a16 = go("a16", "-p chip.activation_bits=16");
  auto fl = go("fl", "-p chip.datapath=float");
  auto b32 = go("b32", "-p chip.activation_bits=32 -p chip.psum_bits=32");
  EXPECT_LT(a4["run"]["correct"].get<int>() + 10, a16["run"]["correct"].get<int>());
  EXPECT_TRUE(a4["datapath"]["quantized"].get<bool>());
  EXPECT_FALSE(fl["datapath"]["quantized"].get<bool>());
  EXPECT_EQ(fl["run"]["correct"].get<int>(), b32["run"]["correct"].get<int>());
  EXPECT_NE(slurp(d.path("fl/report.txt")).find("float between tiles"), std::string::npos);
}

TEST(Cli, ReportShowsLatencyThroughputEnergyBreakdownAndAccuracy) {
  TempDir d;
  Result r =
      run("run --no-progress -p simulation.images=200 --out " + d.path("o"));  // default config
  ASSERT_EQ(r.rc, 0) << r.out;
  for (const char* s :
       {"latency ", "cycles =", "throughput", "images/s", "nJ per image", "array", "dac", "adc",
        "digital", "interconnect", "buffer", "leakage", "TOPS/W", "TOPS/mm2", "area mm2", "peak mW",
        "chip        hermes: 64 tiles", "accuracy    top-1"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  auto j = stats(d.path("o"));
  double sum = 0;
  for (auto& kv : j["energy_by_class_pj"].items()) sum += kv.value().get<double>();
  EXPECT_NEAR(sum, j["run"]["energy_pj"].get<double>(), 1e-9 * sum);
  double area = 0, peak = 0;
  for (auto& kv : j["area_by_class_um2"].items()) area += kv.value().get<double>();
  EXPECT_NEAR(area * 1e-6, j["run"]["area_mm2"].get<double>(), 1e-9 * area);
  for (auto& kv : j["peak_power_by_class_mw"].items()) peak += kv.value().get<double>();
  EXPECT_NEAR(peak, j["run"]["peak_power_mw"].get<double>(), 1e-9 * peak);
  // The HERMES-like default: 64 arrays of 256 x 256, a full-scale MVM each: DAC settle (1) and
  // the longest pulse (127 x 1 ns), the CCOs counting meanwhile, then their latch (1): 129 ns,
  // 2 x 256 x 256 x 64 / 129 ns = 65.03 TOPS.
  EXPECT_EQ(j["run"]["full_scale_mvm_ns"].get<double>(), 129.0);
  const double tops = 2.0 * 256 * 256 * 64 / 129e-9 * 1e-12;
  EXPECT_NEAR(j["run"]["peak_tops"].get<double>(), tops, 1e-9);
  // Its peak as the papers count it (array, PWM drivers, ADCs), by hand from the preset, per
  // core: array 0.2 V^2 x 65536 devices x 25 uS x 127 ns per 129 ns = 64.520 mW; ADCs 256 x
  // 20.7 fJ x 2^8 per 129 ns = 10.516 mW; DACs 256 x 8 bits x 0.004 pJ per 129 ns = 0.0635 mW.
  const double core_mw = 0.04 * 65536 * 25e-6 * 127.0 / 129.0 * 1e3 + 256 * 20.7e-3 * 256 / 129.0 +
                         256 * 8 * 0.004 / 129.0;
  const auto& pub = j["peak_as_published"];
  EXPECT_NEAR(pub["power_mw"].get<double>(), 64 * core_mw, 1e-6 * core_mw);
  EXPECT_NEAR(pub["tops_per_w"].get<double>(), tops / (64 * core_mw * 1e-3), 1e-6);
  EXPECT_NE(r.out.find(": 65.03 TOPS, 4.806 W of array, dac, adc: 13.530 TOPS/W (this run "),
            std::string::npos)
      << r.out;
  // Utilization: 64 cores (6 arrays used by the MLP), the 8 x 8 mesh's 2 x 7 x 8 links in each
  // direction; every fraction is busy / (units x run cycles).
  const auto& u = j["utilization"];
  EXPECT_EQ(u["arrays"]["units"].get<int>(), 64);
  EXPECT_EQ(u["arrays"]["used"].get<int>(), 6);
  EXPECT_EQ(u["interconnect links"]["units"].get<int>(), 224);
  const double run_cycles = j["run"]["total_cycles"].get<double>();
  for (auto& kv : u.items()) {
    const auto& x = kv.value();
    EXPECT_NEAR(x["fraction"].get<double>(),
                x["busy_cycles"].get<double>() / (x["units"].get<double>() * run_cycles), 1e-12)
        << kv.key();
    EXPECT_LE(x["busiest_cycles"].get<double>(), run_cycles) << kv.key();
  }
  EXPECT_NE(r.out.find("utilization busy cycles"), std::string::npos);
  std::string csv = slurp(d.path("o/layers.csv"));
  // fc1 with its ReLU: 784 B in, 256 B out, a 784x256 matrix, 1 group, 1 pixel, 1 copy, on 4
  // arrays; at least 4 MVMs per image (bound management repeats some).
  EXPECT_NE(csv.find("/fc1/Gemm,Gemm+Relu,arrays,784,256,784,256,1,1,1,4,"), std::string::npos)
      << csv;
  EXPECT_EQ(j["layers"]["/fc1/Gemm"]["mvms"]["value"].get<int>() -
                j["layers"]["/fc1/Gemm"]["bm_repeats"]["value"].get<int>(),
            4 * 200);
  // Resolved config holds defaults the user never wrote.
  std::string resolved = slurp(d.path("o/resolved_config.yaml"));
  EXPECT_NE(resolved.find("prog_noise_scale: 1"), std::string::npos);
  EXPECT_NE(resolved.find("read_energy: 0.344pJ"), std::string::npos) << resolved;
}

TEST(Cli, ResolvedConfigRunsAgainToTheSameResult) {
  TempDir d;
  ASSERT_EQ(run("run --no-progress -p simulation.images=100 --out " + d.path("a")).rc, 0);
  // Paths in the resolved config are absolute: it runs again as it is.
  Result r = run("run --no-progress " + d.path("a/resolved_config.yaml") + " --out " + d.path("b"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto a = stats(d.path("a"))["run"], b = stats(d.path("b"))["run"];
  a.erase("config");
  b.erase("config");
  EXPECT_EQ(a, b);
}

TEST(Cli, ListAndDescribe) {
  Result l = run("list");
  ASSERT_EQ(l.rc, 0);
  for (const char* s :
       {"adc:", "sar", "dac:", "uniform", "device:", "pcm", "ideal", "array:", "crossbar",
        "interconnect:", "bus", "buffer:", "sram", "digital:", "simd"}) {
    EXPECT_NE(l.out.find(s), std::string::npos) << s;
  }
  Result dsc = run("describe sar");
  ASSERT_EQ(dsc.rc, 0);
  EXPECT_NE(dsc.out.find("| bits "), std::string::npos) << dsc.out;
  EXPECT_NE(dsc.out.find("| fom "), std::string::npos) << dsc.out;
  EXPECT_NE(dsc.out.find("[2, 16]"), std::string::npos) << dsc.out;
  Result bad = run("describe nonsense");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("no implementation named 'nonsense'"), std::string::npos);
}

TEST(Cli, DocsHoldTheCurrentParameterTables) {
  // docs/parameters.md is generated by tools/gen_param_docs.sh from `pcmsim describe`.
  std::string doc = slurp(kSrc + "/docs/parameters.md");
  // Every implementation `pcmsim list` names ("interface:" lines, then "  name  summary").
  Result list = run("list");
  ASSERT_EQ(list.rc, 0) << list.out;
  std::vector<std::string> impls;
  std::istringstream lines(list.out);
  std::string line, iface;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == ':' && line[0] != ' ') {
      iface = line.substr(0, line.size() - 1);
    } else if (!iface.empty() && line.rfind("  ", 0) == 0) {
      std::istringstream w(line);
      std::string name;
      w >> name;
      impls.push_back(iface + "/" + name);
    }
  }
  EXPECT_GE(impls.size(), 14u) << list.out;
  for (const std::string& impl : impls) {
    Result r = run("describe " + impl);
    ASSERT_EQ(r.rc, 0);
    EXPECT_NE(doc.find(r.out), std::string::npos)
        << impl << ": docs/parameters.md is stale; run tools/gen_param_docs.sh";
  }
}

TEST(Cli, ValidateChecksWithoutSimulating) {
  Result r = run("validate configs/default.yaml");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("config OK"), std::string::npos) << r.out;
}

TEST(Cli, TheExportedDeviceTableHasTheClosedFormsOfThePcmModel) {
  // The aihwkit-compatible chip's PCM device (aihwkit PCMLikeNoiseModel, g_max = 25 uS, t0 =
  // 20 s, t_read = 250 ns), tabulated by `validate --export-device` over 8,192 devices a level.
  TempDir d;
  Result r = run("validate configs/aihwkit.yaml --export-device " + d.path("dev.json"));
  ASSERT_EQ(r.rc, 0) << r.out;
  std::ifstream f(d.path("dev.json"));
  const nlohmann::json j = nlohmann::json::parse(f);
  const std::vector<double> levels = j["levels"], times = j["times_s"];
  ASSERT_EQ(levels.size(), 33u);
  ASSERT_EQ(levels[32], 1.0);
  ASSERT_EQ(levels[16], 0.5);
  ASSERT_EQ(times[0], 0.0);
  ASSERT_EQ(times[4], 86400.0);
  EXPECT_EQ(j["mvm"]["dac"]["bits"], 7);
  EXPECT_EQ(j["mvm"]["adc"]["bits"], 9);
  EXPECT_EQ(j["array"]["rows"], 512);
  // At t = 0 a device at level r reads with programming noise (aihwkit's polynomial, uS:
  // 0.26348 + 1.9650 r - 1.1731 r^2) and 1/f read noise over the first t0
  // (0.0088 / r^0.65 x g x sqrt(ln((t0 + t_read) / (2 t_read))) = ... x sqrt(ln(4e7)) = 4.183):
  //   r = 1:   sigma_prog = 1.0554, sigma_read = 0.0088 x 25 x 4.183 = 0.9202, total 1.4003;
  //   r = 0.5: sigma_prog = 0.9527, sigma_read = 0.0088 / 0.6373 x 12.5 x 4.183 = 0.7220,
  //            total 1.1954.
  // A sample standard deviation of 8,192 draws has a relative standard error of 0.8 %: 4 %
  // is five of them.
  const double s1 = j["std_uS"][0][32], s05 = j["std_uS"][0][16];
  EXPECT_NEAR(s1, 1.4003, 0.04 * 1.4003);
  EXPECT_NEAR(s05, 1.1954, 0.04 * 1.1954);
  // A day on, the mean at r = 1 drifts with nu = |N(0.049, 0.008)| (aihwkit's mu_nu and
  // sigma_nu clipped at r = 1): E[(1 + 86400 / 20)^-nu] = exp(-0.049 L + 0.008^2 L^2 / 2) with
  // L = ln(4321) = 8.371, i.e. 0.6650: 16.62 uS. Its standard error is under 1.6 / sqrt(8192)
  // = 0.02 uS.
  const double m1d = j["mean_uS"][4][32];
  EXPECT_NEAR(m1d, 16.62, 0.1);
}

TEST(Cli, TheShippedDeviceTableIsWhatPcmsimWrites) {
  // The table the hardware-aware models were trained from (workloads/models/README.md) is the
  // one this pcmsim writes for the aihwkit-compatible chip: regenerate it when it is not.
  TempDir d;
  Result r = run("validate configs/aihwkit.yaml --export-device " + d.path("dev.json"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(slurp(d.path("dev.json")), slurp(kSrc + "/workloads/models/aihwkit_device.json"))
      << "run: pcmsim validate configs/aihwkit.yaml --export-device "
         "workloads/models/aihwkit_device.json";
}

TEST(Cli, ImplSwitchKeepsOtherOverrides) {
  // sigma set before the switch to the gaussian device survives it.
  TempDir d;
  Result r =
      run("run --no-progress -p simulation.images=10 -p chip.tile.core.device.sigma=0.2 "
          "-p chip.tile.core.device.impl=gaussian --out " +
          d.path("o"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(slurp(d.path("o/resolved_config.yaml")).find("sigma: 0.2"), std::string::npos);
}

}  // namespace
}  // namespace pcmsim
