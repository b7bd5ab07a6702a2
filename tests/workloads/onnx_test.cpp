#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/framework/error.h"
#include "tests/framework/test_util.h"
#include "tests/workloads/onnx_builder.h"
#include "workloads/onnx_graph.h"

namespace pcmsim {
namespace {

using testing::OnnxBuilder;
using testing::TempDir;

const std::string kMlp = std::string(PCMSIM_SOURCE_DIR) + "/workloads/models/mlp_fmnist.onnx";

std::string error_of(const std::string& path) {
  try {
    import_onnx_graph(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(OnnxImport, ShippedMlp) {
  Graph g = import_onnx_graph(kMlp);
  EXPECT_EQ(g.input_shape(), (Shape{1, 28, 28}));
  ASSERT_EQ(g.nodes.size(), 6u);
  EXPECT_EQ(g.nodes[0].op, GraphOp::Flatten);
  EXPECT_EQ(g.nodes[1].op, GraphOp::Dense);
  EXPECT_EQ(g.nodes[1].weight.shape, (Shape{784, 256}));
  EXPECT_EQ(g.nodes[2].op, GraphOp::Relu);
  EXPECT_EQ(g.nodes[3].weight.shape, (Shape{256, 128}));
  EXPECT_EQ(g.nodes[5].weight.shape, (Shape{128, 10}));
  EXPECT_EQ(g.nodes[5].bias.data.size(), 10u);
  EXPECT_EQ(g.values[size_t(g.output)].name, "logits");
}

// y = alpha * x B^T + beta * C, checked against hand arithmetic.
TEST(OnnxImport, GemmWithTransposeAlphaBeta) {
  TempDir d;
  OnnxBuilder b({3});
  b.initializer("W", {2, 3}, {1, 2, 3, 4, 5, 6});  // out x in (transB = 1)
  b.initializer("C", {2}, {10, 20});
  auto& g = b.node("Gemm", {"input", "W", "C"}, "y");
  OnnxBuilder::attr_int(g, "transB", 1);
  OnnxBuilder::attr_float(g, "alpha", 2.0f);
  OnnxBuilder::attr_float(g, "beta", 0.5f);
  b.output("y");
  b.save(d.path("g.onnx"));
  Graph net = import_onnx_graph(d.path("g.onnx"));
  std::vector<float> x = {1, 0, -1};
  std::vector<float> y = run_reference(net, x.data());
  EXPECT_FLOAT_EQ(y[0], 2.0f * (1 - 3) + 5.0f);
  EXPECT_FLOAT_EQ(y[1], 2.0f * (4 - 6) + 10.0f);
}

TEST(OnnxImport, MatMulAddReluChain) {
  TempDir d;
  OnnxBuilder b({2});
  b.initializer("W", {2, 2}, {1, -1, 2, 3});  // in x out
  b.initializer("bias", {2}, {0.5f, -10.0f});
  b.node("MatMul", {"input", "W"}, "m");
  b.node("Add", {"bias", "m"}, "a");  // constant first: still the bias
  b.node("Relu", {"a"}, "r");
  b.node("Identity", {"r"}, "y");
  b.output("y");
  b.save(d.path("m.onnx"));
  Graph net = import_onnx_graph(d.path("m.onnx"));
  std::vector<float> x = {1, 2};
  std::vector<float> y = run_reference(net, x.data());
  EXPECT_FLOAT_EQ(y[0], 1 + 4 + 0.5f);
  EXPECT_FLOAT_EQ(y[1], 0.0f);  // -1 + 6 - 10 < 0
}

TEST(OnnxImport, UnsupportedOperatorNamesNodeOpAndSupportedList) {
  TempDir d;
  OnnxBuilder b({1, 4, 4});
  b.initializer("K", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  b.node("ConvTranspose", {"input", "K"}, "c", "up1");
  b.output("c");
  b.save(d.path("c.onnx"));
  std::string msg = error_of(d.path("c.onnx"));
  EXPECT_NE(msg.find("node 'up1' (ConvTranspose): unsupported operator 'ConvTranspose'; supported: "
                     "Conv, Gemm"),
            std::string::npos)
      << msg;
}

TEST(OnnxImport, WeightThatIsNotAnInitializer) {
  TempDir d;
  OnnxBuilder b({3});
  b.node("MatMul", {"input", "input"}, "y", "mm");
  b.output("y");
  b.save(d.path("dyn.onnx"));
  std::string msg = error_of(d.path("dyn.onnx"));
  EXPECT_NE(msg.find("node 'mm' (MatMul): input 'input' must be a constant initializer"),
            std::string::npos)
      << msg;
}

TEST(OnnxImport, MissingInitializer) {
  TempDir d;
  OnnxBuilder b({3});
  b.node("Gemm", {"input", "W_missing"}, "y", "fc");
  b.output("y");
  b.save(d.path("miss.onnx"));
  std::string msg = error_of(d.path("miss.onnx"));
  EXPECT_NE(msg.find("node 'fc' (Gemm): input 'W_missing' must be a constant initializer"),
            std::string::npos)
      << msg;
}

TEST(OnnxImport, ShapeMismatch) {
  TempDir d;
  OnnxBuilder b({5});
  b.initializer("W", {4, 2}, std::vector<float>(8, 1.0f));
  b.node("MatMul", {"input", "W"}, "y", "fc");
  b.output("y");
  b.save(d.path("shape.onnx"));
  std::string msg = error_of(d.path("shape.onnx"));
  EXPECT_NE(msg.find("expects 4 input features, the input has 5"), std::string::npos) << msg;
}

TEST(OnnxImport, InitializerDataSizeMismatch) {
  TempDir d;
  OnnxBuilder b({2});
  b.initializer("W", {2, 2}, {1, 2, 3});
  b.node("MatMul", {"input", "W"}, "y", "fc");
  b.output("y");
  b.save(d.path("size.onnx"));
  std::string msg = error_of(d.path("size.onnx"));
  EXPECT_NE(msg.find("initializer 'W': holds 12 bytes of data, shape [2, 2] needs 16"),
            std::string::npos)
      << msg;
}

TEST(OnnxImport, TruncatedFile) {
  TempDir d;
  std::ifstream in(kMlp, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string path = d.file("trunc.onnx", bytes.substr(0, bytes.size() / 2));
  std::string msg = error_of(path);
  EXPECT_NE(msg.find(path + ": not a valid ONNX model"), std::string::npos) << msg;
}

TEST(OnnxImport, MissingFile) {
  std::string msg = error_of("/nonexistent/net.onnx");
  EXPECT_NE(msg.find("cannot open ONNX file '/nonexistent/net.onnx'"), std::string::npos) << msg;
}

}  // namespace
}  // namespace pcmsim
