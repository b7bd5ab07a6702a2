#pragma once
// ONNX's backend test cases (Debian's libonnx-testdata), loaded for conformance tests: each case
// is imported (further graph inputs bound as constants from the case's data) with its first input
// and expected output, or skipped with the reason.

#include <string>
#include <vector>

#include "workloads/graph.h"

namespace pcmsim::testing {

struct OnnxCase {
  std::string name;     ///< set/case, e.g. pytorch-converted/test_Conv2d
  std::string skipped;  ///< why it cannot run here; empty when loaded
  Graph graph;
  Tensor input, expected;  ///< with the batch dimension
};

/// @brief Every case of the pytorch-converted and node sets, sorted by name.
std::vector<OnnxCase> load_onnx_cases();

/// @brief Empty if @p got (one sample per batch entry, concatenated) matches @p want within
/// 1e-4 relative + 1e-5 absolute; else where it does not.
std::string compare_outputs(const std::vector<float>& got, const std::vector<float>& want);

}  // namespace pcmsim::testing
