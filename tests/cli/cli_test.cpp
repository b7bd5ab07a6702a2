// End-to-end tests of the pcmsim binary: the shipped runs and every class of bad input.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/base/test_util.h"
#include "tests/workloads/onnx_builder.h"

namespace fs = std::filesystem;

namespace pcmsim {
namespace {

using testing::TempDir;

const std::string kSrc = PCMSIM_SOURCE_DIR;
const std::string kBin = PCMSIM_BINARY;

struct Result {
  int rc;
  std::string out;  // stdout and stderr
};

Result run(const std::string& args) {
  std::string cmd = "cd '" + kSrc + "' && '" + kBin + "' " + args + " 2>&1";
  Result r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

nlohmann::json stats(const std::string& dir) {
  std::ifstream f(dir + "/stats.json");
  return nlohmann::json::parse(f);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// ---- the shipped runs

/// A run config in @p d for @p onnx on the small chip with exact devices, with @p dataset as the
/// workload.dataset map (YAML lines, indented 4).
std::string small_run(TempDir& d, const std::string& onnx, const std::string& dataset,
                      const std::string& extra = "") {
  return d.file("run.yaml", "include:\n  - " + kSrc + "/configs/chips/pcm_small.yaml\n  - " + kSrc +
                                "/configs/devices/ideal.yaml\nsimulation:\n  numerics: ideal\n" +
                                extra + "workload:\n  onnx: " + onnx + "\n  dataset:\n" + dataset);
}

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
  // the longest pulse (ceil(127 x 0.73 ns) = 93), then the CCO's start (1) and its largest count
  // (ceil(127 x 0.3 ns) = 39): 134 ns, 2 x 256 x 256 x 64 / 134 ns = 62.60 TOPS.
  EXPECT_EQ(j["run"]["full_scale_mvm_ns"].get<double>(), 134.0);
  EXPECT_NEAR(j["run"]["peak_tops"].get<double>(), 2.0 * 256 * 256 * 64 / 134e-9 * 1e-12, 1e-9);
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
  EXPECT_NE(resolved.find("read_energy: 2.5pJ"), std::string::npos) << resolved;
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

// ---- bad input: clear error, non-zero exit, nothing written

struct BadRun {
  TempDir d;
  Result r;
  explicit BadRun(const std::string& args) {
    r = run("run --no-progress --out " + d.path("o") + " " + args);
  }
  void expect(const std::string& text) const {
    EXPECT_EQ(r.rc, 1) << r.out;
    EXPECT_NE(r.out.find("pcmsim: error: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(text), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(d.path("o"))) << "output written despite the error";
    for (const auto& e : fs::directory_iterator(d.path()))
      ADD_FAILURE() << "left behind: " << e.path();
  }
};

TEST(CliErrors, UnknownKey) {
  BadRun b("-p chip.tile.core.adc.bitz=8");
  b.expect("-p override: chip.tile.core.adc.bitz: unknown key (did you mean 'bits'?)");
}

TEST(CliErrors, UnknownKeyInAFile) {
  TempDir d;
  std::string cfg =
      d.file("run.yaml", "include: " + kSrc + "/configs/default.yaml\nsimulation:\n  sead: 3\n");
  BadRun b(cfg);
  b.expect(cfg + ":3: simulation.sead: unknown key (did you mean 'seed'?)");
}

TEST(CliErrors, ValueOutOfRange) {
  BadRun b("-p chip.tile.core.adc.bits=20");
  b.expect("-p override: chip.tile.core.adc.bits = 20: not in [2, 16] bit");
}

TEST(CliErrors, ValueOutOfRangeInThePreset) {
  TempDir d;
  std::string cfg =
      d.file("run.yaml", "include: " + kSrc + "/configs/default.yaml\nchip:\n  tiles: 0\n");
  BadRun b(cfg);
  b.expect(cfg + ":3: chip.tiles = 0: not in [1, 16384] tiles");
}

TEST(CliErrors, BadUnit) {
  BadRun b("-p chip.clock=1GHzz");
  b.expect("chip.clock = 1GHzz: cannot read as float in GHz: unknown unit 'GHzz'");
}

TEST(CliErrors, WrongDimension) {
  BadRun b("-p chip.tile.core.array.t_int=5uS");
  b.expect(
      "chip.tile.core.array.t_int = 5uS: cannot read as float in ns: unit 'uS' is a conductance, "
      "expected a time");
}

TEST(CliErrors, MissingConfigFile) {
  BadRun b("configs/nonexistent.yaml");
  b.expect("cannot open config file 'configs/nonexistent.yaml'");
}

TEST(CliErrors, MalformedYaml) {
  TempDir d;
  std::string cfg = d.file("bad.yaml", "simulation:\n  seed: [1, 2\n");
  BadRun b(cfg);
  b.expect(cfg + ":3:1: malformed YAML");
}

TEST(CliErrors, OnnxWithUnsupportedOp) {
  TempDir d;
  testing::OnnxBuilder ob({1, 28, 28});
  ob.initializer("K", {4, 1, 3, 3}, std::vector<float>(36, 0.1f));
  ob.node("ConvTranspose", {"input", "K"}, "c", "up1");
  ob.output("c");
  ob.save(d.path("up.onnx"));
  BadRun b("-p workload.onnx=" + d.path("up.onnx"));
  b.expect(
      "node 'up1' (ConvTranspose): unsupported operator 'ConvTranspose'; supported: Conv, Gemm");
}

TEST(CliErrors, TruncatedIdx) {
  TempDir d;
  std::string path = d.path("trunc.gz");
  gzFile in = gzopen("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb");
  std::vector<char> buf(100000);
  int n = gzread(in, buf.data(), unsigned(buf.size()));
  gzclose(in);
  gzFile out = gzopen(path.c_str(), "wb");
  gzwrite(out, buf.data(), unsigned(n));
  gzclose(out);
  BadRun b("-p workload.dataset.images=" + path);
  b.expect(path + ": truncated: the header promises 7840000 bytes of data, the file holds 99984");
}

TEST(CliErrors, NetworkDoesNotFitOnTheChip) {
  BadRun b("-p chip.tiles=1 -p chip.tile.cores=2");
  b.expect("the network needs 6 arrays of 256x256, the chip has 2 (1 tiles x 2 cores): 4 missing");
}

TEST(CliErrors, DatasetThatDoesNotFitTheNetwork) {
  TempDir d;
  std::string bin = d.file("b.bin", std::string(3073 * 2, char(1)));
  std::string cfg = small_run(d, kSrc + "/workloads/models/mlp_fmnist.onnx",
                              "    format: cifar10\n    images: " + bin + "\n");
  BadRun b(cfg);
  b.expect(bin + ": samples have shape [3, 32, 32] (3072 values), network '");
  b.expect("' takes [1, 28, 28] (784)");
}

TEST(CliErrors, ReplicatingALayerTheNetworkDoesNotHave) {
  BadRun b("-p mapping.replicate=[conv9=2]");
  b.expect("mapping.replicate: ");
  b.expect("has no Conv, Gemm or MatMul node named 'conv9'");
}

TEST(CliErrors, ReplicationThatDoesNotParse) {
  BadRun b("-p mapping.replicate=[/fc1/Gemm=0]");
  b.expect("-p override: mapping.replicate: '/fc1/Gemm=0': expected NAME=N with N from 1 to 4096");
}

TEST(CliErrors, GlobalBufferTooSmall) {
  BadRun b("configs/zoo/lenet5.yaml -p chip.global_buffer.size=2KiB");
  b.expect("chip.global_buffer.size = 2048 B cannot hold the values live at step '/conv1/Conv'");
}

TEST(CliErrors, SyntheticFormatWithAnImageFile) {
  BadRun b("-p workload.dataset.format=synthetic");
  b.expect("workload.dataset.images");
  b.expect("the synthetic format generates its inputs; give no image file");
}

TEST(CliErrors, UnknownImplementation) {
  BadRun b("-p chip.tile.core.adc.impl=pipeline");
  b.expect("chip.tile.core.adc.impl = pipeline: not one of cco, flash, ramp, sar");
}

TEST(CliErrors, NegativeConductance) {
  BadRun b("-p chip.tile.core.device.g_max=-25uS");
  b.expect("-p override: chip.tile.core.device.g_max = -25uS: not in [0.001, 1000000] uS");
}

TEST(CliErrors, FaultRateOutsideZeroOne) {
  BadRun b("-p chip.tile.core.device.stuck_set_rate=1.2");
  b.expect("-p override: chip.tile.core.device.stuck_set_rate = 1.2: not in [0, 1]");
}

TEST(CliErrors, UnknownCompensation) {
  BadRun b("-p simulation.compensation=local");
  b.expect("-p override: simulation.compensation = local: not one of none, global, per_column");
}

TEST(CliErrors, UnknownCompensationInAList) {
  TempDir d;
  std::string cfg =
      d.file("run.yaml", "include: " + kSrc +
                             "/configs/default.yaml\ninference:\n  compensation: [none, globl]\n");
  BadRun b(cfg);
  b.expect(cfg + ":3: inference.compensation[1] = globl: not one of none, global, per_column");
}

TEST(CliErrors, TimeThatDoesNotParse) {
  TempDir d;
  std::string cfg = d.file(
      "run.yaml", "include: " + kSrc + "/configs/default.yaml\ninference:\n  times: [1s, 1day]\n");
  BadRun b(cfg);
  b.expect(cfg + ":3: inference.times[1] = 1day: cannot read as float in s: unknown unit 'day'");
}

TEST(CliErrors, NegativeTime) {
  BadRun b("-p simulation.time=-1h");
  b.expect("-p override: simulation.time = -1h: not in [0, 1e+12] s");
}

TEST(CliErrors, SignificanceFactorsThatCannotHoldTheWeights) {
  BadRun b(
      "-p chip.tile.core.encoding.mode=significance -p chip.tile.core.encoding.factors=[0.5,0.25]");
  b.expect(
      "-p override: chip.tile.core.encoding.factors: the levels' full scales add up to less than "
      "max|W| (sum < 1)");
}

TEST(CliErrors, SignificanceFactorOutOfRange) {
  BadRun b("-p chip.tile.core.encoding.mode=significance -p chip.tile.core.encoding.factors=[1,2]");
  b.expect("-p override: chip.tile.core.encoding.factors[1] = 2: not in [1e-06, 1] ");
}

TEST(CliErrors, TooManyBitsInSlices) {
  BadRun b(
      "-p chip.tile.core.encoding.mode=bit_slices -p chip.tile.core.encoding.slices=8 "
      "-p chip.tile.core.encoding.bits_per_slice=4");
  b.expect(
      "-p override: chip.tile.core.encoding.bits_per_slice = 4: slices x bits_per_slice exceeds 24 "
      "bits");
}

TEST(CliErrors, EncodingKeysOfAnotherMode) {
  BadRun b("-p chip.tile.core.encoding.slices=4");  // mode single reads no slices
  b.expect("-p override: chip.tile.core.encoding.slices: unknown key");
}

TEST(CliErrors, MissingNamedSidecar) {
  BadRun b("-p workload.sidecar=/nonexistent/side.yaml");
  b.expect(
      "-p override: workload.sidecar = /nonexistent/side.yaml: no such file: "
      "/nonexistent/side.yaml");
}

TEST(CliErrors, MoreImagesThanTheDatasetHolds) {
  BadRun b("-p simulation.images=20000");
  b.expect("-p override: simulation.images = 20000: the dataset holds 10000 images");
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

TEST(CliErrors, UnknownCommandAndBadOptions) {
  Result r = run("frobnicate");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("unknown command 'frobnicate'"), std::string::npos) << r.out;
  Result o = run("run --bogus");
  EXPECT_EQ(o.rc, 2);
  EXPECT_NE(o.out.find("bogus"), std::string::npos) << o.out;
  Result q = run(
      "--no-progress -p simulation.images=10 -p chip.tile.core.adc.bitz=1");  // options only: run
  EXPECT_EQ(q.rc, 1);
  EXPECT_NE(q.out.find("chip.tile.core.adc.bitz: unknown key"), std::string::npos) << q.out;
  Result p = run("run -p novalue");
  EXPECT_EQ(p.rc, 1);
  EXPECT_NE(p.out.find("-p novalue: expected key.path=value"), std::string::npos) << p.out;
}

}  // namespace
}  // namespace pcmsim
