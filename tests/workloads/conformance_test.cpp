// Conformance against ONNX's backend test cases: every case whose operators the importer supports
// is evaluated by the FP32 reference executor and compared with the expected outputs. Cases the
// importer rejects are skipped with its reason; both lists are printed. (The same cases through
// the mapped arrays: GraphNetwork.OnnxConformanceCasesThroughTheMappedArrays in
// tests/functional/graph_network_test.cpp, and through the cycle-level chip in
// tests/arch/chip_numerics_test.cpp.)

#include <gtest/gtest.h>

#include <iostream>

#include "tests/workloads/onnx_cases.h"

namespace pcmsim {
namespace {

TEST(OnnxConformance, SupportedCasesMatchTheExpectedOutputs) {
  std::vector<testing::OnnxCase> cases = testing::load_onnx_cases();
  ASSERT_FALSE(cases.empty()) << "libonnx-testdata is not installed (tools/setup.sh installs it)";
  size_t ran = 0;
  for (const auto& c : cases) {
    if (!c.skipped.empty()) continue;
    ++ran;
    const int64_t in_n = numel(c.graph.input_shape());
    std::vector<float> got;
    for (int64_t b = 0; b < c.input.shape[0]; ++b) {
      std::vector<float> y = run_reference(c.graph, c.input.data.data() + b * in_n);
      got.insert(got.end(), y.begin(), y.end());
    }
    std::string diff = testing::compare_outputs(got, c.expected.data);
    std::cout << "  run   " << c.name << (diff.empty() ? "" : "  FAILED: " + diff) << "\n";
    EXPECT_EQ(diff, "") << c.name;
  }
  for (const auto& c : cases)
    if (!c.skipped.empty()) std::cout << "  skip  " << c.name << ": " << c.skipped << "\n";
  std::cout << "ONNX conformance (reference): " << ran << " cases run, " << cases.size() - ran
            << " skipped\n";
  EXPECT_GE(ran, 30u);
}

}  // namespace
}  // namespace pcmsim
