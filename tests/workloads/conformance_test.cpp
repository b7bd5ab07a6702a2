// Conformance against ONNX's backend test cases (Debian's libonnx-testdata): every case whose
// operators the importer supports is imported and evaluated by the FP32 reference executor, and
// compared with the expected outputs. Further graph inputs (weights fed as inputs by the node
// tests) are bound as constants from the case's data. Cases the importer rejects are skipped with
// its reason, and both lists are printed.

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "sim/framework/error.h"
#include "workloads/onnx_graph.h"

namespace fs = std::filesystem;

namespace pcmsim {
namespace {

const std::string kData = "/usr/share/libonnx-testdata/data/";

struct Outcome {
  std::string name;
  bool run = false;
  std::string why;  ///< skip reason or failure
  bool passed = false;
};

Outcome run_case(const fs::path& dir) {
  Outcome o;
  o.name = dir.parent_path().filename().string() + "/" + dir.filename().string();
  const fs::path model = dir / "model.onnx", data = dir / "test_data_set_0";
  if (!fs::exists(model) || !fs::exists(data / "input_0.pb") || !fs::exists(data / "output_0.pb")) {
    o.why = "no model or test data";
    return o;
  }
  if (fs::exists(data / "output_1.pb")) {
    o.why = "more than one output";
    return o;
  }
  // Graph inputs in order, initializers excluded: input_k.pb feeds the k-th.
  onnx::ModelProto m;
  std::ifstream in(model, std::ios::binary);
  if (!m.ParseFromIstream(&in)) {
    o.why = "model does not parse";
    return o;
  }
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> inputs;
  for (const auto& vi : m.graph().input())
    if (!inits.count(vi.name())) inputs.push_back(vi.name());
  std::map<std::string, Tensor> bind;
  for (size_t k = 1; k < inputs.size(); ++k) {
    fs::path p = data / ("input_" + std::to_string(k) + ".pb");
    if (!fs::exists(p)) {
      o.why = "missing " + p.filename().string();
      return o;
    }
  }
  Graph g;
  Tensor x, y;
  try {
    for (size_t k = 1; k < inputs.size(); ++k)
      bind[inputs[k]] = read_tensor_pb((data / ("input_" + std::to_string(k) + ".pb")).string());
    g = import_onnx_graph(model.string(), bind);
    x = read_tensor_pb((data / "input_0.pb").string());
    y = read_tensor_pb((data / "output_0.pb").string());
  } catch (const Error& e) {
    std::string msg = e.what();
    o.why = msg.substr(msg.find(": ") + 2);
    return o;
  }
  if (x.shape.empty() || Shape(x.shape.begin() + 1, x.shape.end()) != g.input_shape()) {
    o.why = "input data shape " + shape_str(x.shape) + " differs from the model's";
    return o;
  }
  const int64_t batch = x.shape[0], in_n = numel(g.input_shape()), out_n = numel(g.output_shape());
  if (numel(y.shape) != batch * out_n) {
    o.run = true;
    o.why = "output has " + std::to_string(numel(y.shape)) + " values, expected " +
            std::to_string(batch * out_n);
    return o;
  }
  o.run = true;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<float> out = run_reference(g, x.data.data() + b * in_n);
    for (int64_t i = 0; i < out_n; ++i) {
      double want = y.data[size_t(b * out_n + i)], got = out[size_t(i)];
      if (std::fabs(got - want) > 1e-4 * std::fabs(want) + 1e-5) {
        o.why = "sample " + std::to_string(b) + " value " + std::to_string(i) + ": " +
                std::to_string(got) + " vs expected " + std::to_string(want);
        return o;
      }
    }
  }
  o.passed = true;
  return o;
}

TEST(OnnxConformance, SupportedCasesMatchTheExpectedOutputs) {
  ASSERT_TRUE(fs::exists(kData))
      << "libonnx-testdata is not installed (tools/setup.sh installs it)";
  std::vector<fs::path> cases;
  for (const char* set : {"pytorch-converted", "node"})
    for (const auto& e : fs::directory_iterator(kData + set))
      if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  std::vector<Outcome> ran, skipped;
  for (const fs::path& c : cases) {
    Outcome o = run_case(c);
    (o.run ? ran : skipped).push_back(o);
  }
  std::cout << "ONNX conformance: " << ran.size() << " cases run, " << skipped.size()
            << " skipped\n";
  for (const Outcome& o : ran)
    std::cout << "  run   " << o.name << (o.passed ? "" : "  FAILED: " + o.why) << "\n";
  for (const Outcome& o : skipped) {
    std::string why = o.why.substr(0, o.why.find("; supported:"));  // the list is in the docs
    std::cout << "  skip  " << o.name << ": " << why << "\n";
  }
  for (const Outcome& o : ran) EXPECT_TRUE(o.passed) << o.name << ": " << o.why;
  EXPECT_GE(ran.size(), 30u);
}

}  // namespace
}  // namespace pcmsim
