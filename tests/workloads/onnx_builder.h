#pragma once
// Builds small ONNX models in tests (valid ones and broken ones) through the protobuf API.

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace pcmsim::testing {

class OnnxBuilder {
 public:
  /// @param input_shape per-sample shape (a batch dimension is added in front)
  explicit OnnxBuilder(const std::vector<int64_t>& input_shape, int opset = 13);
  void initializer(const std::string& name, const std::vector<int64_t>& shape,
                   const std::vector<float>& data);
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& output, const std::string& name = "");
  static void attr_int(onnx::NodeProto& n, const std::string& name, int64_t v);
  static void attr_float(onnx::NodeProto& n, const std::string& name, float v);
  void output(const std::string& name);
  void save(const std::string& path) const;
  onnx::ModelProto& model() { return m_model; }

 private:
  onnx::ModelProto m_model;
};

}  // namespace pcmsim::testing
