#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "sim/base/error.h"
#include "tests/base/test_util.h"
#include "tests/workloads/graph_builder.h"
#include "tests/workloads/onnx_builder.h"
#include "workloads/dataset.h"
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

// The shipped MLP against the forward pass written out by hand from its weights.
TEST(GraphImport, ShippedMlpMatchesItsForwardPassWrittenOut) {
  Graph g = import_onnx_graph(kMlp);
  EXPECT_EQ(g.input_shape(), (Shape{1, 28, 28}));
  EXPECT_EQ(g.output_shape(), (Shape{10}));
  ASSERT_EQ(g.nodes.size(), 6u);
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  Dataset ds =
      load_idx_dataset(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz", 20,
                       {1.0 / 255.0, 0.2860, 0.3530, {}, {}});
  auto dense = [](const GraphNode& n, const std::vector<double>& x, bool relu) {
    const size_t in = size_t(n.weight.shape[0]), out = size_t(n.weight.shape[1]);
    std::vector<double> y(out);
    for (size_t o = 0; o < out; ++o) {
      double acc = n.bias.data[o];
      for (size_t i = 0; i < in; ++i) acc += x[i] * n.weight.data[i * out + o];
      y[o] = relu ? std::max(acc, 0.0) : acc;
    }
    return y;
  };
  for (int64_t i = 0; i < ds.count; ++i) {
    std::vector<double> x(ds.image(i), ds.image(i) + 784);
    std::vector<double> b =
        dense(g.nodes[5], dense(g.nodes[3], dense(g.nodes[1], x, true), true), false);
    std::vector<float> a = run_reference(g, ds.image(i));
    for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-4 * (1 + std::fabs(b[k])));
  }
}

// A small CNN with a residual connection, padding, strides and pooling, checked value by value.
TEST(GraphImport, ResidualConvNetShapesAndValues) {
  TempDir d;
  OnnxBuilder b({1, 4, 4});
  b.initializer("K", {2, 1, 3, 3}, {0, 0, 0, 0, 1, 0, 0, 0, 0, /**/ 1, 1, 1, 1, 1, 1, 1, 1, 1});
  b.initializer("Kb", {2}, {0.5f, 0.0f});
  auto& c = b.node("Conv", {"input", "K", "Kb"}, "c", "conv");
  OnnxBuilder::attr_int(c, "group", 1);
  auto& pads = *c.add_attribute();
  pads.set_name("pads");
  pads.set_type(onnx::AttributeProto::INTS);
  for (int p : {1, 1, 1, 1}) pads.add_ints(p);
  b.node("Relu", {"c"}, "r", "relu");
  b.node("Add", {"r", "c"}, "s", "residual");
  auto& mp = b.node("MaxPool", {"s"}, "p", "pool");
  auto& ks = *mp.add_attribute();
  ks.set_name("kernel_shape");
  ks.set_type(onnx::AttributeProto::INTS);
  ks.add_ints(2);
  ks.add_ints(2);
  auto& st = *mp.add_attribute();
  st.set_name("strides");
  st.set_type(onnx::AttributeProto::INTS);
  st.add_ints(2);
  st.add_ints(2);
  b.node("GlobalAveragePool", {"p"}, "y", "gap");
  b.output("y");
  b.save(d.path("cnn.onnx"));
  Graph g = import_onnx_graph(d.path("cnn.onnx"));
  EXPECT_EQ(g.values[size_t(g.nodes[0].output)].shape, (Shape{2, 4, 4}));
  EXPECT_EQ(g.values[size_t(g.nodes[3].output)].shape, (Shape{2, 2, 2}));
  EXPECT_EQ(g.output_shape(), (Shape{2, 1, 1}));
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[size_t(i)] = float(i) - 4.0f;  // some negative
  std::vector<float> y = run_reference(g, x.data());
  // Channel 0: identity kernel + 0.5 = x + 0.5; residual of relu: 2 (x + 0.5) where positive,
  // x + 0.5 where negative; max-pool 2x2 picks the bottom-right of each block (increasing x):
  // x = 1, 3, 9, 11 -> 3, 7, 19, 23 -> mean 13.
  EXPECT_FLOAT_EQ(y[0], 13.0f);
}

TEST(GraphImport, AWeightSharedByTwoConvolutionsServesBoth) {
  // The importer moves a convolution's weights out of an initializer no other node reads; one
  // read twice must stay whole for the second. K doubles its input's one channel.
  TempDir d;
  OnnxBuilder b({1, 3, 3});
  b.initializer("K", {1, 1, 1, 1}, {2.0f});
  b.node("Conv", {"input", "K"}, "c1", "first");
  b.node("Conv", {"c1", "K"}, "c2", "second");
  b.output("c2");
  b.save(d.path("shared.onnx"));
  const Graph g = import_onnx_graph(d.path("shared.onnx"));
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].weight.data, std::vector<float>{2.0f});
  EXPECT_EQ(g.nodes[1].weight.data, std::vector<float>{2.0f});
  std::vector<float> x(9);
  for (int i = 0; i < 9; ++i) x[size_t(i)] = float(i);
  const std::vector<float> y = run_reference(g, x.data());
  for (int i = 0; i < 9; ++i) EXPECT_EQ(y[size_t(i)], 4.0f * float(i));  // 2 x 2 x x
}

TEST(GraphImportErrors, UnsupportedOperatorNamesNodeOpAndList) {
  TempDir d;
  OnnxBuilder b({1, 4, 4});
  b.initializer("K", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  b.node("ConvTranspose", {"input", "K"}, "c", "up");
  b.output("c");
  b.save(d.path("u.onnx"));
  std::string msg = error_of(d.path("u.onnx"));
  EXPECT_NE(
      msg.find(
          "node 'up' (ConvTranspose): unsupported operator 'ConvTranspose'; supported: Conv, Gemm"),
      std::string::npos)
      << msg;
}

TEST(GraphImportErrors, DynamicWeightAndMissingInitializer) {
  TempDir d;
  OnnxBuilder b({1, 4, 4});
  b.node("Relu", {"input"}, "r", "relu");
  b.node("Conv", {"input", "r"}, "c", "conv");
  b.output("c");
  b.save(d.path("dyn.onnx"));
  std::string msg = error_of(d.path("dyn.onnx"));
  EXPECT_NE(msg.find("node 'conv' (Conv): input 'r' must be a constant initializer"),
            std::string::npos)
      << msg;
  OnnxBuilder m({3});
  m.node("Gemm", {"input", "W"}, "y", "fc");
  m.output("y");
  m.save(d.path("miss.onnx"));
  msg = error_of(d.path("miss.onnx"));
  EXPECT_NE(msg.find("node 'fc' (Gemm): input 'W' must be a constant initializer"),
            std::string::npos)
      << msg;
}

TEST(GraphImportErrors, ShapeMismatches) {
  TempDir d;
  OnnxBuilder b({3, 8, 8});
  b.initializer("K", {4, 2, 3, 3}, std::vector<float>(72, 1.0f));
  b.node("Conv", {"input", "K"}, "c", "conv");
  b.output("c");
  b.save(d.path("ch.onnx"));
  std::string msg = error_of(d.path("ch.onnx"));
  EXPECT_NE(
      msg.find("node 'conv' (Conv): weight [4, 2, 3, 3] expects 2 input channels, the input has 3"),
      std::string::npos)
      << msg;
  OnnxBuilder r({2, 4, 4});
  r.initializer("K", {3, 2, 3, 3}, std::vector<float>(54, 1.0f));
  r.node("Conv", {"input", "K"}, "c", "conv");
  r.node("Add", {"c", "input"}, "s", "residual");
  r.output("s");
  r.save(d.path("res.onnx"));
  msg = error_of(d.path("res.onnx"));
  EXPECT_NE(msg.find("node 'residual' (Add): operand shapes [3, 2, 2] and [2, 4, 4] differ"),
            std::string::npos)
      << msg;
  OnnxBuilder w({1, 2, 2});
  w.initializer("K", {1, 1, 5, 5}, std::vector<float>(25, 1.0f));
  w.node("Conv", {"input", "K"}, "c", "conv");
  w.output("c");
  w.save(d.path("big.onnx"));
  msg = error_of(d.path("big.onnx"));
  EXPECT_NE(msg.find("the window (5) is larger than the padded input"), std::string::npos) << msg;
}

TEST(GraphImportErrors, TruncatedAndMissingFiles) {
  TempDir d;
  std::ifstream in(kMlp, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string path = d.file("t.onnx", bytes.substr(0, bytes.size() / 3));
  EXPECT_NE(error_of(path).find(path + ": not a valid ONNX model"), std::string::npos);
  EXPECT_NE(error_of("/nonexistent.onnx").find("cannot open ONNX file '/nonexistent.onnx'"),
            std::string::npos);
}

// The importer on hand-built Gemm/MatMul graphs and broken files.

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

TEST(GraphOps, DigitalNodesCountTheirOperationsByKind) {
  // 2x6x6 -> conv 3 channels (pad 1) -> BatchNorm -> Relu -> MaxPool 2 -> Sigmoid -> Tanh ->
  // Flatten -> Dense 5 -> Softmax.
  GraphBuilder b({2, 6, 6}, 5);
  int v = b.conv(b.graph().input, 3, 3, 1, 1, 1, "conv");
  v = b.batchnorm(v, "bn");
  v = b.unary(GraphOp::Relu, v, "relu");
  v = b.maxpool(v, 2, "pool");
  v = b.unary(GraphOp::Sigmoid, v, "sig");
  v = b.unary(GraphOp::Tanh, v, "tanh");
  v = b.unary(GraphOp::Flatten, v, "flat");
  v = b.dense(v, 5, "fc");
  v = b.unary(GraphOp::Softmax, v, "softmax");
  const Graph g = b.finish(v);
  std::map<std::string, OpCounts> by;
  for (const GraphNode& n : g.nodes) by[n.name] = digital_op_counts(g, n);
  auto ops = [](uint64_t add, uint64_t mul, uint64_t cmp, uint64_t exp, uint64_t div) {
    OpCounts c;
    c[OpKind::Add] = add;
    c[OpKind::Mul] = mul;
    c[OpKind::Compare] = cmp;
    c[OpKind::Exp] = exp;
    c[OpKind::Div] = div;
    return c.n;
  };
  const uint64_t conv_out = 3 * 6 * 6, pool_out = 3 * 3 * 3;
  EXPECT_EQ(by["conv"].n, ops(0, 0, 0, 0, 0));  // analog
  EXPECT_EQ(by["bn"].n, ops(conv_out, conv_out, 0, 0, 0));
  EXPECT_EQ(by["relu"].n, ops(0, 0, conv_out, 0, 0));
  EXPECT_EQ(by["pool"].n, ops(0, 0, 3 * pool_out, 0, 0));  // the largest of 4: 3 compares
  EXPECT_EQ(by["sig"].n, ops(pool_out, 0, 0, pool_out, pool_out));
  EXPECT_EQ(by["tanh"].n, ops(2 * pool_out, 0, 0, pool_out, pool_out));
  EXPECT_EQ(by["flat"].n, ops(0, 0, 0, 0, 0));  // a view
  EXPECT_EQ(by["softmax"].n, ops(2 * 5, 0, 5, 5, 5));
}

}  // namespace
}  // namespace pcmsim
