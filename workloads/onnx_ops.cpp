// The ONNX importer's node translations: one method per kind of ONNX node, each checking its
// attributes and inputs and emitting graph nodes with inferred shapes.

#include <algorithm>
#include <cmath>
#include <limits>

#include "workloads/onnx_graph.h"
#include "workloads/onnx_importer.h"

namespace pcmsim {
namespace onnx_import {

void GraphImporter::import_node(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.output_size() < 1) fail(n, "node has no output");
  if (op != "Constant" && (n.input_size() < 1 || n.input(0).empty())) fail(n, "node has no input");
  if (op == "Constant") return import_constant(n);
  if (op == "Identity" || op == "Dropout") return import_identity(n);
  if (op == "Conv") return import_conv(n);
  if (op == "Gemm" || op == "MatMul") return import_dense(n);
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return import_arithmetic(n);
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "LeakyRelu")
    return import_activation(n);
  if (op == "Clip") return import_clip(n);
  if (op == "MaxPool" || op == "AveragePool") return import_pool(n);
  if (op == "GlobalAveragePool") return import_global_pool(n);
  if (op == "BatchNormalization") return import_batchnorm(n);
  if (op == "Flatten") return import_flatten(n);
  if (op == "Reshape") return import_reshape(n);
  if (op == "Concat") return import_concat(n);
  if (op == "Softmax") return import_softmax(n);
  if (op == "Pad") return import_pad(n);
  fail(n, "unsupported operator '" + op + "'; supported: " + supported_graph_ops());
}

void GraphImporter::import_constant(const onnx::NodeProto& n) {
  const auto* v = attr(n, "value");
  if (!v || !v->has_t()) fail(n, "only the 'value' tensor form is supported");
  m_consts[n.output(0)] = to_const(v->t(), where(n));
}

void GraphImporter::import_identity(const onnx::NodeProto& n) {
  if (is_const(n.input(0))) {
    m_consts[n.output(0)] = m_consts.at(n.input(0));
    return;
  }
  int x = activation(n, 0);
  emit(n, GraphOp::Identity, {x}, shape_of(x));
}

void GraphImporter::import_conv(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  const Const& w = constant(n, 1);
  const Shape& in = shape_of(x);
  if (w.shape.size() != 4)
    fail(n, "weight shape " + shape_str(w.shape) + " is not 4-D (2-D convolution)");
  int64_t group = attr_int(n, "group", 1);
  if (in.size() != 3)
    fail(n, "supports 2-D inputs (N, C, H, W); per-sample input shape is " + shape_str(in));
  if (group < 1 || in[0] % group != 0 || w.shape[0] % group != 0) {
    fail(n, "group = " + std::to_string(group) + " does not divide input channels " +
                std::to_string(in[0]) + " and output channels " + std::to_string(w.shape[0]));
  }
  if (w.shape[1] != in[0] / group) {
    fail(n, "weight " + shape_str(w.shape) + " expects " + std::to_string(w.shape[1] * group) +
                " input channels, the input has " + std::to_string(in[0]));
  }
  auto ks = attr_ints(n, "kernel_shape");
  if (!ks.empty() && (ks.size() != 2 || ks[0] != w.shape[2] || ks[1] != w.shape[3])) {
    fail(n, "kernel_shape does not match the weight shape " + shape_str(w.shape));
  }
  GraphNode tmp;
  Shape out = window(n, tmp, in, int(w.shape[2]), int(w.shape[3]), false);
  out[0] = w.shape[0];
  GraphNode& g = emit(n, GraphOp::Conv, {x}, out);
  std::copy(tmp.kernel, tmp.kernel + 2, g.kernel);
  std::copy(tmp.stride, tmp.stride + 2, g.stride);
  std::copy(tmp.dilation, tmp.dilation + 2, g.dilation);
  std::copy(tmp.pad, tmp.pad + 4, g.pad);
  g.group = int(group);
  g.weight.shape = w.shape;
  g.weight.data = take_floats(n, 1);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const Const& b = constant(n, 2);
    if (numel(b.shape) != w.shape[0])
      fail(n, "bias has " + std::to_string(numel(b.shape)) + " values, expected " +
                  std::to_string(w.shape[0]));
    g.bias.shape = {w.shape[0]};
    g.bias.data = b.f;
  }
}

void GraphImporter::import_dense(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  int x = activation(n, 0);
  const Shape& in = shape_of(x);
  if (in.size() != 1)
    fail(n, "supports inputs of shape (N, K); per-sample input shape is " + shape_str(in));
  const Const& b = constant(n, 1);
  if (b.shape.size() != 2)
    fail(n, "weight '" + n.input(1) + "' has shape " + shape_str(b.shape) + ", expected 2-D");
  bool gemm = op == "Gemm";
  if (gemm && attr_int(n, "transA", 0) != 0) fail(n, "transA = 1 is not supported");
  bool tb = gemm && attr_int(n, "transB", 0) != 0;
  float alpha = gemm ? attr_float(n, "alpha", 1.0f) : 1.0f,
        beta = gemm ? attr_float(n, "beta", 1.0f) : 1.0f;
  int64_t k = tb ? b.shape[1] : b.shape[0], m = tb ? b.shape[0] : b.shape[1];
  if (k != in[0]) {
    fail(n, "weight '" + n.input(1) + "' " + shape_str(b.shape) + (tb ? " (transposed)" : "") +
                " expects " + std::to_string(k) + " input features, the input has " +
                std::to_string(in[0]));
  }
  GraphNode& g = emit(n, GraphOp::Dense, {x}, {m});
  g.weight.shape = {k, m};
  g.weight.data.resize(size_t(k * m));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t o = 0; o < m; ++o)
      g.weight.data[size_t(i * m + o)] =
          alpha * (tb ? b.f[size_t(o * k + i)] : b.f[size_t(i * m + o)]);
  if (gemm && n.input_size() > 2 && !n.input(2).empty()) {
    Tensor c = broadcast(n, constant(n, 2), {m});
    for (float& v : c.data) v *= beta;
    g.bias = c;
  }
}

void GraphImporter::import_arithmetic(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  GraphOp gop = op == "Add"   ? GraphOp::Add
                : op == "Sub" ? GraphOp::Sub
                : op == "Mul" ? GraphOp::Mul
                              : GraphOp::Div;
  if (n.input_size() != 2) fail(n, "needs two inputs");
  bool c0 = is_const(n.input(0)), c1 = is_const(n.input(1));
  if (c0 && c1) fail(n, "both operands are constants (fold them before export)");
  if (!c0 && !c1) {
    int a = activation(n, 0), b = activation(n, 1);
    if (shape_of(a) != shape_of(b)) {
      fail(n, "operand shapes " + shape_str(shape_of(a)) + " and " + shape_str(shape_of(b)) +
                  " differ");
    }
    emit(n, gop, {a, b}, shape_of(a));
    return;
  }
  int a = activation(n, c0 ? 1 : 0);
  Tensor k = broadcast(n, constant(n, c0 ? 0 : 1), shape_of(a));
  GraphNode& g = emit(n, gop, {a}, shape_of(a));
  g.constant = std::move(k);
  g.constant_first = c0;
}

void GraphImporter::import_activation(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  int x = activation(n, 0);
  GraphOp gop = op == "Relu"      ? GraphOp::Relu
                : op == "Sigmoid" ? GraphOp::Sigmoid
                : op == "Tanh"    ? GraphOp::Tanh
                                  : GraphOp::LeakyRelu;
  GraphNode& g = emit(n, gop, {x}, shape_of(x));
  g.alpha = attr_float(n, "alpha", 0.01f);
}

void GraphImporter::import_clip(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (m_g.opset < 11) {
    lo = attr_float(n, "min", lo);
    hi = attr_float(n, "max", hi);
  } else {
    if (n.input_size() > 1 && !n.input(1).empty()) lo = scalar_of(n, 1);
    if (n.input_size() > 2 && !n.input(2).empty()) hi = scalar_of(n, 2);
  }
  GraphNode& g = emit(n, GraphOp::Clip, {x}, shape_of(x));
  g.lo = lo;
  g.hi = hi;
}

void GraphImporter::import_pool(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.output_size() > 1 && !n.output(1).empty()) fail(n, "the Indices output is not supported");
  int x = activation(n, 0);
  auto ks = attr_ints(n, "kernel_shape");
  if (ks.size() != 2) fail(n, "supports 2-D pooling (kernel_shape with 2 values)");
  GraphNode tmp;
  Shape out = window(n, tmp, shape_of(x), int(ks[0]), int(ks[1]), attr_int(n, "ceil_mode", 0) != 0);
  out[0] = shape_of(x)[0];
  GraphNode& g = emit(n, op == "MaxPool" ? GraphOp::MaxPool : GraphOp::AveragePool, {x}, out);
  std::copy(tmp.kernel, tmp.kernel + 2, g.kernel);
  std::copy(tmp.stride, tmp.stride + 2, g.stride);
  std::copy(tmp.dilation, tmp.dilation + 2, g.dilation);
  std::copy(tmp.pad, tmp.pad + 4, g.pad);
  g.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
}

void GraphImporter::import_global_pool(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  if (shape_of(x).size() != 3)
    fail(n,
         "supports 2-D inputs (N, C, H, W); per-sample input shape is " + shape_str(shape_of(x)));
  emit(n, GraphOp::GlobalAveragePool, {x}, {shape_of(x)[0], 1, 1});
}

void GraphImporter::import_batchnorm(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  for (int i = 1; i < n.output_size(); ++i)
    if (!n.output(i).empty()) fail(n, "training-mode outputs (running mean/var) are not supported");
  const Shape& s = shape_of(x);
  if (s.empty()) fail(n, "input has no channel dimension");
  const int64_t c = s[0];
  const Const &sc = constant(n, 1), &b = constant(n, 2), &mean = constant(n, 3),
              &var = constant(n, 4);
  for (const Const* t : {&sc, &b, &mean, &var})
    if (numel(t->shape) != c)
      fail(n, "parameters must have one value per channel (" + std::to_string(c) + ")");
  float eps = attr_float(n, "epsilon", 1e-5f);
  GraphNode& g = emit(n, GraphOp::BatchNorm, {x}, s);
  for (int64_t i = 0; i < c; ++i) {
    float k = sc.f[size_t(i)] / std::sqrt(var.f[size_t(i)] + eps);
    g.scale.push_back(k);
    g.shift.push_back(b.f[size_t(i)] - mean.f[size_t(i)] * k);
    g.bn_gamma.push_back(sc.f[size_t(i)]);
    g.bn_beta.push_back(b.f[size_t(i)]);
  }
  g.bn_eps = eps;
}

void GraphImporter::import_flatten(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  int64_t axis = attr_int(n, "axis", 1);
  if (axis < 0) axis += int64_t(shape_of(x).size()) + 1;
  if (axis != 1) fail(n, "only axis = 1 is supported (other axes merge samples of the batch)");
  emit(n, GraphOp::Flatten, {x}, {numel(shape_of(x))});
}

void GraphImporter::import_reshape(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  const Const& sh = constant(n, 1);
  if (!sh.integral || sh.i.empty()) fail(n, "the shape must be a constant integer tensor");
  if (attr_int(n, "allowzero", 0) != 0) fail(n, "allowzero = 1 is not supported");
  // The leading entry is the batch: 0 (copy), -1, or 1 (exports traced with a batch of one).
  if (sh.i[0] != 0 && sh.i[0] != -1 && sh.i[0] != 1) {
    fail(n, "the first dimension of the new shape " + std::to_string(sh.i[0]) +
                " is not the batch (0, -1 or 1)");
  }
  const Shape& in = shape_of(x);
  Shape out;
  int infer = -1;
  int64_t known = 1;
  for (size_t d = 1; d < sh.i.size(); ++d) {
    int64_t v = sh.i[d];
    if (v == 0) {
      if (d - 1 >= in.size())
        fail(n, "0 in the new shape copies a dimension the input does not have");
      v = in[d - 1];
    }
    if (v == -1) {
      if (infer >= 0 || sh.i[0] == -1) fail(n, "more than one -1 in the new shape");
      infer = int(out.size());
      out.push_back(1);
      continue;
    }
    if (v < 1) fail(n, "dimension " + std::to_string(v) + " in the new shape");
    known *= v;
    out.push_back(v);
  }
  if (infer >= 0) {
    if (numel(in) % known != 0)
      fail(n, "cannot reshape " + shape_str(in) + " per sample into " + shape_str(out));
    out[size_t(infer)] = numel(in) / known;
  }
  if (numel(out) != numel(in))
    fail(n, "cannot reshape " + shape_str(in) + " per sample into " + shape_str(out));
  emit(n, GraphOp::Reshape, {x}, out);
}

void GraphImporter::import_concat(const onnx::NodeProto& n) {
  if (n.input_size() < 1) fail(n, "needs at least one input");
  std::vector<int> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(activation(n, i));
  const Shape& s0 = shape_of(ins[0]);
  int64_t axis = attr_int(n, "axis", 1);
  if (axis < 0) axis += int64_t(s0.size()) + 1;
  if (axis < 1 || axis > int64_t(s0.size()))
    fail(n, "axis " + std::to_string(axis) + " is the batch or out of range");
  Shape out = s0;
  out[size_t(axis - 1)] = 0;
  for (int v : ins) {
    const Shape& s = shape_of(v);
    if (s.size() != s0.size()) fail(n, "inputs have different ranks");
    for (size_t d = 0; d < s.size(); ++d)
      if (d != size_t(axis - 1) && s[d] != s0[d])
        fail(n, "input shapes " + shape_str(s0) + " and " + shape_str(s) + " differ off the axis");
    out[size_t(axis - 1)] += s[size_t(axis - 1)];
  }
  GraphNode& g = emit(n, GraphOp::Concat, ins, out);
  g.axis = int(axis - 1);
}

void GraphImporter::import_softmax(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  const Shape& s = shape_of(x);
  const int64_t rank = int64_t(s.size()) + 1;
  int64_t axis = attr_int(n, "axis", m_g.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank)
    fail(n, "axis " + std::to_string(axis) + " is the batch or out of range");
  Shape out = s;
  GraphNode* g;
  if (m_g.opset < 13 && axis != rank - 1) {
    // Before opset 13 the input is coerced to 2-D at the axis: softmax over all later dims.
    Shape flat(s.begin(), s.begin() + (axis - 1));
    int64_t rest = 1;
    for (int64_t d = axis - 1; d < int64_t(s.size()); ++d) rest *= s[size_t(d)];
    flat.push_back(rest);
    int mid = add_value(n.output(0) + "/coerced", flat);
    GraphNode r;
    r.name = (n.name().empty() ? n.output(0) : n.name()) + "/coerce";
    r.onnx_op = "Softmax";
    r.op = GraphOp::Reshape;
    r.inputs = {x};
    r.output = mid;
    m_g.nodes.push_back(r);
    GraphNode sm;
    sm.name = (n.name().empty() ? n.output(0) : n.name()) + "/softmax";
    sm.onnx_op = "Softmax";
    sm.op = GraphOp::Softmax;
    sm.inputs = {mid};
    sm.axis = int(flat.size()) - 1;
    sm.output = add_value(n.output(0) + "/flat", flat);
    m_g.nodes.push_back(sm);
    g = &emit(n, GraphOp::Reshape, {sm.output}, out);
    (void)g;
    return;
  }
  g = &emit(n, GraphOp::Softmax, {x}, out);
  g->axis = int(axis - 1);
}

void GraphImporter::import_pad(const onnx::NodeProto& n) {
  int x = activation(n, 0);
  if (attr_str(n, "mode", "constant") != "constant") fail(n, "only mode = constant is supported");
  std::vector<int64_t> pads;
  float value = 0.0f;
  if (m_g.opset < 11) {
    pads = attr_ints(n, "pads");
    value = attr_float(n, "value", 0.0f);
  } else {
    const Const& p = constant(n, 1);
    if (!p.integral) fail(n, "pads must be a constant integer tensor");
    pads = p.i;
    if (n.input_size() > 2 && !n.input(2).empty()) value = scalar_of(n, 2);
    if (n.input_size() > 3 && !n.input(3).empty()) fail(n, "the axes input is not supported");
  }
  const Shape& s = shape_of(x);
  const size_t rank = s.size() + 1;
  if (pads.size() != 2 * rank)
    fail(n, "pads must have 2 x rank = " + std::to_string(2 * rank) + " values");
  if (pads[0] != 0 || pads[rank] != 0) fail(n, "padding the batch dimension is not supported");
  Shape out = s;
  GraphNode& g = emit(n, GraphOp::Pad, {x}, s);
  for (size_t d = 0; d < s.size(); ++d) {
    int64_t b = pads[d + 1], e = pads[rank + d + 1];
    if (b < 0 || e < 0) fail(n, "negative pads (cropping) are not supported");
    g.pads_begin.push_back(b);
    g.pads_end.push_back(e);
    out[d] += b + e;
  }
  g.pad_value = value;
  m_g.values[size_t(g.output)].shape = out;
}

}  // namespace onnx_import
}  // namespace pcmsim
