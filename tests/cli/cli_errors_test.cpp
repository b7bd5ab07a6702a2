// End-to-end tests of the pcmsim binary on bad input: every class of error names the file, the
// place and the rule, and exits non-zero.

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/cli/cli_util.h"
#include "tests/workloads/onnx_builder.h"

namespace fs = std::filesystem;

namespace pcmsim {
namespace {

using namespace testing;  // NOLINT: the end-to-end tests' helpers

/// A run on bad input: a clear error, exit status 1, nothing written.
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

TEST(CliErrors, ADeviceTableThatCannotBeWritten) {
  TempDir d;
  const std::string target = d.path("no/such/folder/dev.json");
  Result r = run("validate configs/aihwkit.yaml --export-device " + target);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("pcmsim: error: --export-device: cannot write " + target), std::string::npos)
      << r.out;
  for (const auto& e : fs::directory_iterator(d.path()))
    ADD_FAILURE() << "left behind: " << e.path();
}

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

TEST(CliErrors, ADatapathWithoutAMagnitudeBit) {
  // A 1-bit signed format has no level but zero: the datapath needs 2 bits at least.
  BadRun b("-p chip.activation_bits=1");
  b.expect("-p override: chip.activation_bits = 1: not in [2, 32] bit");
  BadRun p("-p chip.psum_bits=1");
  p.expect("-p override: chip.psum_bits = 1: not in [2, 64] bit");
}

TEST(CliErrors, ACountingCcoSharedByColumns) {
  // The default chip's CCOs count while the array integrates: one per column, no sharing.
  BadRun b("-p chip.tile.core.adcs=64");
  b.expect("chip.tile.core.adcs = 64: an ADC counting while the array integrates");
}

TEST(CliErrors, APeakScopeClassThatDoesNotExist) {
  BadRun b("-p chip.peak_scope.power=[array,adcs]");
  b.expect("chip.peak_scope.power");
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
  b.expect(
      "-p override: chip.global_buffer.size = 2048 B cannot hold the values live at step "
      "'/conv1/Conv'");
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
  b.expect(
      "-p override: simulation.compensation = local: not one of none, global, per_column, "
      "batchnorm");
}

TEST(CliErrors, BatchnormCompensationOfANetworkWithoutBatchNorm) {
  BadRun b("-p simulation.compensation=batchnorm");
  b.expect(
      "-p override: simulation.compensation = batchnorm: batchnorm needs BatchNormalization "
      "nodes run digitally: 'workloads/models/mlp_fmnist.onnx' has none (export it with them "
      "kept)");
}

TEST(CliErrors, UnknownCompensationInAList) {
  TempDir d;
  std::string cfg =
      d.file("run.yaml", "include: " + kSrc +
                             "/configs/default.yaml\ninference:\n  compensation: [none, globl]\n");
  BadRun b(cfg);
  b.expect(cfg +
           ":3: inference.compensation[1] = globl: not one of none, global, per_column, "
           "batchnorm");
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

TEST(CliErrors, UnknownCommandAndBadOptions) {
  Result r = run("frobnicate");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("unknown command 'frobnicate'"), std::string::npos) << r.out;
  Result o = run("run --bogus");
  EXPECT_EQ(o.rc, 2);
  EXPECT_NE(o.out.find("pcmsim run: error: unrecognised option '--bogus'"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("usage: pcmsim run"), std::string::npos) << o.out;
  // An option of another command is unknown to this one.
  Result e = run("validate configs/default.yaml --evaluations 2");
  EXPECT_EQ(e.rc, 2);
  EXPECT_NE(e.out.find("pcmsim validate: error: unrecognised option '--evaluations'"),
            std::string::npos)
      << e.out;
  Result l = run("list extra");
  EXPECT_EQ(l.rc, 2);
  EXPECT_NE(l.out.find("pcmsim list: error: takes no arguments"), std::string::npos) << l.out;
  Result q = run(
      "--no-progress -p simulation.images=10 -p chip.tile.core.adc.bitz=1");  // options only: run
  EXPECT_EQ(q.rc, 1);
  EXPECT_NE(q.out.find("chip.tile.core.adc.bitz: unknown key"), std::string::npos) << q.out;
  Result p = run("run -p novalue");
  EXPECT_EQ(p.rc, 1);
  EXPECT_NE(p.out.find("-p novalue: expected key.path=value"), std::string::npos) << p.out;
}

TEST(CliErrors, EveryFuzzFindingReplaysAsAClearError) {
  // The inputs the fuzz targets found (tests/fuzz/regressions/<target>/), each through the
  // command line the way a user would hand it over: a clear error naming the file, exit 1,
  // nothing written.
  const std::map<std::string, std::string> how = {{"onnx", "-p workload.onnx="},
                                                  {"config", ""},
                                                  {"sidecar", "-p workload.sidecar="},
                                                  {"idx", "-p workload.dataset.images="}};
  int replayed = 0;
  for (const auto& [target, args] : how) {
    const fs::path dir = fs::path(kSrc) / "tests/fuzz/regressions" / target;
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      SCOPED_TRACE(e.path().string());
      BadRun b(args + e.path().string());
      b.expect(e.path().filename().string());
      ++replayed;
    }
  }
  // Sweep specs: through `pcmsim sweep list`, an error naming the spec's file and line.
  const fs::path sweeps = fs::path(kSrc) / "tests/fuzz/regressions/sweep";
  for (const auto& e : fs::directory_iterator(sweeps)) {
    Result r = run("sweep list '" + e.path().string() + "'");
    EXPECT_EQ(r.rc, 1) << r.out;
    EXPECT_NE(r.out.find("pcmsim: error: " + e.path().string() + ":"), std::string::npos) << r.out;
    ++replayed;
  }
  EXPECT_GE(replayed, 2);
}

TEST(CliUsage, EveryCommandAnswersHelpWithItsUsage) {
  // Exit 0, the command's own usage line on stdout, nothing run.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--help", "usage: pcmsim [COMMAND]"},
      {"help", "usage: pcmsim [COMMAND]"},
      {"run --help", "usage: pcmsim run [CONFIG]"},
      {"run configs/default.yaml -h", "usage: pcmsim run [CONFIG]"},
      {"validate --help", "usage: pcmsim validate CONFIG"},
      {"bench --help", "usage: pcmsim bench CONFIG"},
      {"list --help", "usage: pcmsim list"},
      {"describe --help", "usage: pcmsim describe NAME"},
      {"help bench", "usage: pcmsim bench CONFIG"}};
  for (const auto& [args, want] : cases) {
    Result r = run(args);
    EXPECT_EQ(r.rc, 0) << args << ": " << r.out;
    EXPECT_NE(r.out.find(want), std::string::npos) << args << ": " << r.out;
    EXPECT_EQ(r.out.find("latency"), std::string::npos) << args << " ran a simulation";
  }
}

TEST(CliUsage, VersionIsTheOneInStatsAndTheReport) {
  TempDir d;
  Result v = run("--version");
  ASSERT_EQ(v.rc, 0);
  ASSERT_EQ(v.out.rfind("pcmsim ", 0), 0u) << v.out;
  const std::string version = v.out.substr(7, v.out.find('\n') - 7);
  EXPECT_EQ(std::count(version.begin(), version.end(), '.'), 2) << version;
  Result r = run("run --no-progress -p simulation.images=10 --out " + d.path("o"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(stats(d.path("o"))["run"]["pcmsim_version"].get<std::string>(), version);
  EXPECT_EQ(slurp(d.path("o/report.txt")).rfind("pcmsim " + version + " run: ", 0), 0u);
}

}  // namespace
}  // namespace pcmsim
