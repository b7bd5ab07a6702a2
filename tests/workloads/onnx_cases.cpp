#include "tests/workloads/onnx_cases.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim/base/error.h"
#include "workloads/onnx_graph.h"

namespace fs = std::filesystem;

namespace pcmsim::testing {

namespace {

OnnxCase load_case(const fs::path& dir) {
  OnnxCase c;
  c.name = dir.parent_path().filename().string() + "/" + dir.filename().string();
  const fs::path model = dir / "model.onnx", data = dir / "test_data_set_0";
  if (!fs::exists(model) || !fs::exists(data / "input_0.pb") || !fs::exists(data / "output_0.pb")) {
    c.skipped = "no model or test data";
    return c;
  }
  if (fs::exists(data / "output_1.pb")) {
    c.skipped = "more than one output";
    return c;
  }
  // Graph inputs in order, initializers excluded: input_k.pb feeds the k-th.
  onnx::ModelProto m;
  std::ifstream in(model, std::ios::binary);
  if (!m.ParseFromIstream(&in)) {
    c.skipped = "model does not parse";
    return c;
  }
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> inputs;
  for (const auto& vi : m.graph().input())
    if (!inits.count(vi.name())) inputs.push_back(vi.name());
  std::map<std::string, Tensor> bind;
  try {
    for (size_t k = 1; k < inputs.size(); ++k) {
      fs::path p = data / ("input_" + std::to_string(k) + ".pb");
      if (!fs::exists(p)) throw Error("x: missing " + p.filename().string());
      bind[inputs[k]] = read_tensor_pb(p.string());
    }
    c.graph = import_onnx_graph(model.string(), bind);
    c.input = read_tensor_pb((data / "input_0.pb").string());
    c.expected = read_tensor_pb((data / "output_0.pb").string());
  } catch (const Error& e) {
    std::string msg = e.what();
    msg = msg.substr(msg.find(": ") + 2);
    c.skipped = msg.substr(0, msg.find("; supported:"));  // the list is in the docs
    return c;
  }
  if (c.input.shape.empty() ||
      Shape(c.input.shape.begin() + 1, c.input.shape.end()) != c.graph.input_shape()) {
    c.skipped = "input data shape " + shape_str(c.input.shape) + " differs from the model's";
  } else if (numel(c.expected.shape) != c.input.shape[0] * numel(c.graph.output_shape())) {
    c.skipped = "expected output size differs from the model's";
  }
  return c;
}

}  // namespace

std::vector<OnnxCase> load_onnx_cases() {
  const std::string root = "/usr/share/libonnx-testdata/data/";
  std::vector<fs::path> dirs;
  for (const char* set : {"pytorch-converted", "node"}) {
    if (!fs::exists(root + set)) continue;
    for (const auto& e : fs::directory_iterator(root + set))
      if (e.is_directory()) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<OnnxCase> cases;
  for (const fs::path& d : dirs) cases.push_back(load_case(d));
  return cases;
}

std::string compare_outputs(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size())
    return std::to_string(got.size()) + " values, expected " + std::to_string(want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::fabs(double(got[i]) - want[i]) > 1e-4 * std::fabs(want[i]) + 1e-5) {
      return "value " + std::to_string(i) + ": " + std::to_string(got[i]) + " vs expected " +
             std::to_string(want[i]);
    }
  }
  return "";
}

}  // namespace pcmsim::testing
