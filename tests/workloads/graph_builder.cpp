#include "tests/workloads/graph_builder.h"

#include <cmath>

namespace pcmsim {

GraphBuilder::GraphBuilder(const Shape& input, uint64_t seed) : m_rng(seed, DrawKind::Fault, 9, 9) {
  m_g.source = "test";
  m_g.input = value("input", input);
}

int GraphBuilder::value(const std::string& name, const Shape& s) {
  m_g.values.push_back({name, s});
  return int(m_g.values.size()) - 1;
}

float GraphBuilder::draw(double sigma) { return float(m_rng.normal(m_k++) * sigma); }

int GraphBuilder::dense(int v, int64_t out, const std::string& name, bool bias) {
  const int64_t in = numel(m_g.values[size_t(v)].shape);
  GraphNode n;
  n.name = name;
  n.onnx_op = "Gemm";
  n.op = GraphOp::Dense;
  n.inputs = {v};
  n.weight.shape = {in, out};
  for (int64_t i = 0; i < in * out; ++i) n.weight.data.push_back(draw(1.0 / std::sqrt(double(in))));
  if (bias) {
    n.bias.shape = {out};
    for (int64_t i = 0; i < out; ++i) n.bias.data.push_back(draw(0.1));
  }
  n.output = value(name, {out});
  m_g.nodes.push_back(std::move(n));
  return m_g.nodes.back().output;
}

int GraphBuilder::conv(int v, int64_t M, int k, int stride, int pad, int group,
                       const std::string& name, bool bias) {
  const Shape in = m_g.values[size_t(v)].shape;
  GraphNode n;
  n.name = name;
  n.onnx_op = "Conv";
  n.op = GraphOp::Conv;
  n.inputs = {v};
  n.kernel[0] = n.kernel[1] = k;
  n.stride[0] = n.stride[1] = stride;
  for (int& p : n.pad) p = pad;
  n.group = group;
  const int64_t cg = in[0] / group, fan_in = cg * k * k;
  n.weight.shape = {M, cg, k, k};
  for (int64_t i = 0; i < M * fan_in; ++i)
    n.weight.data.push_back(draw(1.0 / std::sqrt(double(fan_in))));
  if (bias) {
    n.bias.shape = {M};
    for (int64_t i = 0; i < M; ++i) n.bias.data.push_back(draw(0.1));
  }
  const int64_t oh = (in[1] + 2 * pad - k) / stride + 1, ow = (in[2] + 2 * pad - k) / stride + 1;
  n.output = value(name, {M, oh, ow});
  m_g.nodes.push_back(std::move(n));
  return m_g.nodes.back().output;
}

int GraphBuilder::unary(GraphOp op, int v, const std::string& name) {
  GraphNode n;
  n.name = name;
  n.op = op;
  n.onnx_op = op == GraphOp::Relu      ? "Relu"
              : op == GraphOp::Flatten ? "Flatten"
              : op == GraphOp::Sigmoid ? "Sigmoid"
                                       : "Identity";
  n.inputs = {v};
  Shape s = m_g.values[size_t(v)].shape;
  if (op == GraphOp::Flatten) s = {numel(s)};
  n.output = value(name, s);
  m_g.nodes.push_back(std::move(n));
  return m_g.nodes.back().output;
}

int GraphBuilder::add(int a, int b, const std::string& name) {
  GraphNode n;
  n.name = name;
  n.onnx_op = "Add";
  n.op = GraphOp::Add;
  n.inputs = {a, b};
  n.output = value(name, m_g.values[size_t(a)].shape);
  m_g.nodes.push_back(std::move(n));
  return m_g.nodes.back().output;
}

int GraphBuilder::maxpool(int v, int k, const std::string& name) {
  const Shape in = m_g.values[size_t(v)].shape;
  GraphNode n;
  n.name = name;
  n.onnx_op = "MaxPool";
  n.op = GraphOp::MaxPool;
  n.inputs = {v};
  n.kernel[0] = n.kernel[1] = k;
  n.stride[0] = n.stride[1] = k;
  n.output = value(name, {in[0], in[1] / k, in[2] / k});
  m_g.nodes.push_back(std::move(n));
  return m_g.nodes.back().output;
}

int GraphBuilder::batchnorm(int v, const std::string& name) {
  const Shape in = m_g.values[size_t(v)].shape;
  GraphNode n;
  n.name = name;
  n.onnx_op = "BatchNormalization";
  n.op = GraphOp::BatchNorm;
  n.inputs = {v};
  // Running mean 0 and variance 1 - eps: the scale is gamma, the shift beta.
  for (int64_t c = 0; c < in[0]; ++c) {
    n.scale.push_back(1.0f + draw(0.2));
    n.shift.push_back(draw(0.2));
  }
  n.bn_gamma = n.scale;
  n.bn_beta = n.shift;
  n.output = value(name, in);
  m_g.nodes.push_back(std::move(n));
  return m_g.nodes.back().output;
}

Graph GraphBuilder::finish(int v) {
  m_g.output = v;
  return m_g;
}

Graph dense_chain(const std::vector<int64_t>& sizes, uint64_t seed) {
  GraphBuilder b({sizes[0]}, seed);
  int v = b.graph().input;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    v = b.dense(v, sizes[i + 1], "fc" + std::to_string(i + 1));
    if (i + 2 < sizes.size()) v = b.unary(GraphOp::Relu, v, "relu" + std::to_string(i + 1));
  }
  return b.finish(v);
}

}  // namespace pcmsim
