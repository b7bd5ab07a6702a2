// Sweep specs without running anything: axes, ranges, zips, constraints, sampling, objectives,
// the constraint language, the Pareto front, and the errors a bad spec gets.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "sim/base/error.h"
#include "sim/sweep/expr.h"
#include "sim/sweep/pareto.h"
#include "sim/sweep/runner.h"
#include "sim/sweep/spec.h"
#include "tests/base/test_util.h"

namespace pcmsim {
namespace {

using testing::TempDir;

/// A spec file in @p d over an (empty) base run config; @p sweep is the sweep section's body.
std::string spec_file(TempDir& d, const std::string& sweep) {
  d.file("base.yaml", "simulation:\n  seed: 1\n");
  return d.file("spec.yaml", "sweep:\n  base: base.yaml\n" + sweep);
}

std::vector<std::string> column(const SweepSpec& s, size_t axis) {
  std::vector<std::string> v;
  for (const SweepPoint& p : s.points) v.push_back(p.values[axis]);
  return v;
}

TEST(SweepSpec, CartesianProductFirstAxisSlowest) {
  TempDir d;
  const SweepSpec s = load_sweep(spec_file(d, "  axes:\n    a.x: [1, 2]\n    b.y: [p, q, r]\n"));
  ASSERT_EQ(s.points.size(), 6u);
  EXPECT_EQ(column(s, 0), (std::vector<std::string>{"1", "1", "1", "2", "2", "2"}));
  EXPECT_EQ(column(s, 1), (std::vector<std::string>{"p", "q", "r", "p", "q", "r"}));
  EXPECT_EQ(s.overrides(s.points[4]), (std::vector<std::string>{"a.x=2", "b.y=q"}));
  for (size_t i = 0; i < s.points.size(); ++i) EXPECT_EQ(s.points[i].index, int(i));
  EXPECT_EQ(s.base, (std::filesystem::path(d.path()) / "base.yaml").string());
}

TEST(SweepSpec, RangesIncludeTheirStopAndLogspaceIsGeometric) {
  TempDir d;
  const SweepSpec s = load_sweep(
      spec_file(d,
                "  axes:\n    a: {range: [128, 512, 128]}\n    b: {range: [0.5, 1.25, 0.25]}\n"
                "    c: {logspace: [0.1, 10, 3]}\n    d: {range: [8, 6, -1]}\n"));
  EXPECT_EQ(s.axes[0].values, (std::vector<std::string>{"128", "256", "384", "512"}));
  EXPECT_EQ(s.axes[1].values, (std::vector<std::string>{"0.5", "0.75", "1", "1.25"}));
  // 0.1 x (10 / 0.1)^(i / 2): 0.1, 1, 10.
  EXPECT_EQ(s.axes[2].values, (std::vector<std::string>{"0.1", "1", "10"}));
  EXPECT_EQ(s.axes[3].values, (std::vector<std::string>{"8", "7", "6"}));
  EXPECT_EQ(s.points.size(), 4u * 4u * 3u * 3u);
}

TEST(SweepSpec, ZippedAxesVaryTogether) {
  TempDir d;
  const SweepSpec s = load_sweep(spec_file(d,
                                           "  axes:\n    r: [128, 256]\n    k: [a, b, c]\n"
                                           "    c: [64, 512]\n  zip: [[r, c]]\n"));
  // Factors: (r, c) zipped, then k: 2 x 3 points, r and c always paired.
  ASSERT_EQ(s.points.size(), 6u);
  EXPECT_EQ(column(s, 0), (std::vector<std::string>{"128", "128", "128", "256", "256", "256"}));
  EXPECT_EQ(column(s, 2), (std::vector<std::string>{"64", "64", "64", "512", "512", "512"}));
  EXPECT_EQ(column(s, 1), (std::vector<std::string>{"a", "b", "c", "a", "b", "c"}));
}

TEST(SweepSpec, ConstraintsFilterAndSamplingKeepsOrder) {
  TempDir d;
  const SweepSpec s = load_sweep(
      spec_file(d,
                "  axes:\n    chip.a: {range: [1, 6, 1]}\n    chip.b: {range: [1, 6, 1]}\n"
                "  constraints: ['chip.a < chip.b', 'chip.a + chip.b != 7']\n"));
  // Pairs a < b of 1..6: 15, less (1,6), (2,5), (3,4): 12.
  ASSERT_EQ(s.points.size(), 12u);
  for (const SweepPoint& p : s.points) {
    EXPECT_LT(std::stoi(p.values[0]), std::stoi(p.values[1]));
    EXPECT_NE(std::stoi(p.values[0]) + std::stoi(p.values[1]), 7);
  }
  const std::string sampled =
      spec_file(d,
                "  axes:\n    chip.a: {range: [1, 6, 1]}\n    chip.b: {range: [1, 6, 1]}\n"
                "  constraints: ['chip.a < chip.b', 'chip.a + chip.b != 7']\n"
                "  sample: {points: 5, seed: 3}\n");
  const SweepSpec t = load_sweep(sampled);
  ASSERT_EQ(t.points.size(), 5u);
  // Distinct points of the full list, in its order, the same for the same seed.
  std::vector<std::string> seen;
  for (const SweepPoint& p : t.points) seen.push_back(p.values[0] + "," + p.values[1]);
  std::vector<std::string> all;
  for (const SweepPoint& p : s.points) all.push_back(p.values[0] + "," + p.values[1]);
  size_t at = 0;
  for (const std::string& x : seen) {
    auto it = std::find(all.begin() + long(at), all.end(), x);
    ASSERT_NE(it, all.end()) << x << " out of order or not a point";
    at = size_t(it - all.begin()) + 1;
  }
  const SweepSpec again = load_sweep(sampled);
  for (size_t i = 0; i < t.points.size(); ++i)
    EXPECT_EQ(again.points[i].values, t.points[i].values);
}

TEST(SweepSpec, SamplingIsUniformOverThePoints) {
  // 2,000 samples of 1 point among 4 (seeds 0..1999): each point chosen 500 times on average,
  // binomial standard deviation sqrt(2000 x 1/4 x 3/4) = 19.4; 4.5 sigma: +-87.
  TempDir d;
  std::vector<int> count(4, 0);
  for (int seed = 0; seed < 2000; ++seed) {
    const SweepSpec s =
        load_sweep(spec_file(d, "  axes:\n    a: [0, 1, 2, 3]\n  sample: {points: 1, seed: " +
                                    std::to_string(seed) + "}\n"));
    ASSERT_EQ(s.points.size(), 1u);
    ++count[size_t(std::stoi(s.points[0].values[0]))];
  }
  for (int c : count) EXPECT_NEAR(c, 500, 87);
}

TEST(SweepSpec, ObjectivesByNameOrStatsPath) {
  TempDir d;
  const SweepSpec s = load_sweep(spec_file(
      d,
      "  axes:\n    a: [1]\n  objectives: {latency: min, accuracy: max, run.tops_per_w: max}\n"));
  ASSERT_EQ(s.objectives.size(), 3u);
  EXPECT_EQ(s.objectives[0].path, "run.latency_ns");
  EXPECT_TRUE(s.objectives[0].minimize);
  EXPECT_EQ(s.objectives[1].path, "run.accuracy");
  EXPECT_FALSE(s.objectives[1].minimize);
  EXPECT_EQ(s.objectives[2].path, "run.tops_per_w");
}

TEST(SweepSpec, ARunConfigCarriesItsOwnSweep) {
  TempDir d;
  const std::string f =
      d.file("run.yaml", "simulation:\n  seed: 1\nsweep:\n  axes:\n    simulation.seed: [1, 2]\n");
  const SweepSpec s = load_sweep(f);
  EXPECT_EQ(s.base, f);
  EXPECT_EQ(s.points.size(), 2u);
}

/// The error load_sweep gives for @p sweep, or "" if none.
std::string error_of(const std::string& sweep) {
  TempDir d;
  try {
    load_sweep(spec_file(d, sweep));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, BadSpecsNameTheFileTheLineAndTheRule) {
  // Line numbers: the spec is "sweep:" (1), "  base: base.yaml" (2), then the body from line 3.
  std::string e = error_of("  axes:\n    a: []\n");
  EXPECT_NE(e.find("spec.yaml:4: sweep.axes.a: empty axis"), std::string::npos) << e;
  e = error_of("  axes:\n    a: [1, 2]\n    b: [1, 2, 3]\n  zip: [[a, b]]\n");
  EXPECT_NE(
      e.find("spec.yaml:6: sweep.zip: zipped axes of unequal length: 'a' has 2 values, 'b' 3"),
      std::string::npos)
      << e;
  e = error_of("  axes:\n    chip.a: [1, 2]\n  constraints: ['chip.a <']\n");
  EXPECT_NE(e.find("spec.yaml:5: sweep.constraints: does not parse: 'chip.a <': expected a value"),
            std::string::npos)
      << e;
  e = error_of("  axes:\n    chip.abc: [1, 2]\n  constraints: ['chip.abd > 1']\n");
  EXPECT_NE(
      e.find("'chip.abd' in 'chip.abd > 1' is not one of the axes (did you mean 'chip.abc'?)"),
      std::string::npos)
      << e;
  e = error_of("  axes:\n    a: [1, 2]\n  constraints: ['1 > 0']\n");
  EXPECT_NE(e.find("'1 > 0' names no axis"), std::string::npos) << e;
  e = error_of("  axes:\n    a: [1, 2]\n  constraints: ['a > 5']\n");
  EXPECT_NE(e.find("no point satisfies the constraints (of 2)"), std::string::npos) << e;
  e = error_of("  axes:\n    a: {range: [1, 5, -1]}\n");
  EXPECT_NE(e.find("sweep.axes.a.range: the step must be non-zero and lead from start to stop"),
            std::string::npos)
      << e;
  e = error_of("  axes:\n    a: {range: [1ns, 5ns, 1ns]}\n");
  EXPECT_NE(e.find("'1ns' is not a plain number"), std::string::npos) << e;
  e = error_of("  axes:\n    a: [1]\n  objectives: {latncy: min}\n");
  EXPECT_NE(e.find("sweep.objectives.latncy: unknown objective 'latncy' (did you mean 'latency'?)"),
            std::string::npos)
      << e;
  e = error_of("  axis:\n    a: [1]\n");
  EXPECT_NE(e.find("sweep.axis: unknown key (did you mean 'axes'?)"), std::string::npos) << e;
  e = error_of("  axes:\n    a: [x, y]\n  constraints: ['a > 1']\n");
  EXPECT_NE(e.find("arithmetic or ordering on text 'x'"), std::string::npos) << e;
  // A base whose name the file system refuses (a component longer than a file name may be; a
  // fuzz finding): the missing-file error with the system's reason, not its exception.
  TempDir d;
  const std::string f = d.file(
      "long.yaml", "sweep:\n  base: " + std::string(300, 'x') + ".yaml\n  axes:\n    a: [1]\n");
  try {
    load_sweep(f);
    ADD_FAILURE() << "no error";
  } catch (const Error& err) {
    e = err.what();
    EXPECT_NE(e.find(f + ":2: sweep.base: no such file: "), std::string::npos) << e;
    EXPECT_NE(e.find("(File name too long)"), std::string::npos) << e;
  }
}

TEST(SweepExpr, PrecedenceAndLogic) {
  auto val = [](const std::string& s) {
    return Expr::parse(s).eval(
        [](const std::string& n) { return ExprValue::of(n == "x" ? "3" : "mesh"); });
  };
  EXPECT_EQ(val("1 + 2 * 3").number, 7);
  EXPECT_EQ(val("(1 + 2) * 3").number, 9);
  EXPECT_EQ(val("-x + 10 % 4").number, -1);
  EXPECT_EQ(val("x >= 3 and not x > 3").number, 1);
  EXPECT_EQ(val("x < 1 or x == 3").number, 1);
  EXPECT_EQ(val("y == 'mesh'").number, 1);
  EXPECT_EQ(val("y != \"bus\"").number, 1);
  EXPECT_EQ(val("2 / 8").number, 0.25);
  EXPECT_THROW(val("x / 0"), Error);
  EXPECT_EQ(Expr::parse("a.b + c_d * a.b").names(), (std::vector<std::string>{"a.b", "c_d"}));
  EXPECT_THROW(Expr::parse("(1 + 2"), Error);
  EXPECT_THROW(Expr::parse("1 + and"), Error);
}

TEST(SweepPareto, NonDominatedPointsOnly) {
  // (latency, energy), both minimized: (1,5) (2,2) (5,1) form the front; (3,3) is dominated by
  // (2,2); (2,2) twice: both on the front; (6,6) dominated by all.
  const std::vector<std::vector<double>> s = {{1, 5}, {2, 2}, {3, 3}, {5, 1}, {2, 2}, {6, 6}};
  EXPECT_EQ(pareto_front(s), (std::vector<size_t>{0, 1, 3, 4}));
  EXPECT_EQ(pareto_front({{1, 1}}), (std::vector<size_t>{0}));
  EXPECT_TRUE(pareto_front({}).empty());
}

TEST(SweepHash, ThePointsConfigAndInputFilesNameIt) {
  TempDir d;
  d.file("model.onnx", "not really a model");
  d.file("base.yaml", "simulation:\n  seed: 1\nworkload:\n  onnx: model.onnx\n");
  const std::string f =
      d.file("spec.yaml", "sweep:\n  base: base.yaml\n  axes:\n    simulation.seed: [1, 2, 1]\n");
  const SweepSpec s = load_sweep(f);
  const std::string h0 = point_hash(s, s.points[0]), h1 = point_hash(s, s.points[1]);
  EXPECT_EQ(h0.size(), 16u);
  EXPECT_NE(h0, h1);
  EXPECT_EQ(point_hash(s, s.points[2]), h0);  // the same config: the same point
  // The same spec text elsewhere, over a model with other bytes: other points.
  TempDir e;
  e.file("model.onnx", "another model");
  e.file("base.yaml", "simulation:\n  seed: 1\nworkload:\n  onnx: model.onnx\n");
  const SweepSpec t = load_sweep(
      e.file("spec.yaml", "sweep:\n  base: base.yaml\n  axes:\n    simulation.seed: [1, 2, 1]\n"));
  EXPECT_NE(point_hash(t, t.points[0]), h0);
}

TEST(SweepPoint, AFailedPointsErrorNamesTheFault) {
  // Exit statuses as wait() encodes them: exit(1) is 1 << 8, killed by signal 9 is 9.
  const int exit1 = 1 << 8, sigkill = 9;
  // pcmsim's own errors, all of them, without the prefix.
  EXPECT_EQ(point_error("loading\npcmsim: error: a.yaml:3: bad\npcmsim: error: more\n", exit1),
            "a.yaml:3: bad\nmore (exit status 1)");
  // An AddressSanitizer report: its ERROR line names the fault, not the closing "ABORTING".
  const std::string asan =
      "=================================================================\n"
      "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602 at pc 0x55\n"
      "READ of size 4 at 0x602 thread T0\n    #0 0x55 in f sim/x.cpp:10\n"
      "SUMMARY: AddressSanitizer: heap-buffer-overflow sim/x.cpp:10 in f\n==4242==ABORTING\n";
  EXPECT_EQ(point_error(asan, exit1),
            "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602 at pc 0x55 "
            "(exit status 1)");
  EXPECT_EQ(point_error("ok\nsim/y.cpp:7:3: runtime error: signed integer overflow\nz\n", exit1),
            "sim/y.cpp:7:3: runtime error: signed integer overflow (exit status 1)");
  // Otherwise the last line that says something, and a signal.
  EXPECT_EQ(point_error("first\nlast words\n\n", sigkill), "last words (killed by signal 9)");
  EXPECT_EQ(point_error("", exit1), "no output (exit status 1)");
}

}  // namespace
}  // namespace pcmsim
