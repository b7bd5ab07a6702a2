#include "workloads/onnx_graph.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/base/error.h"

namespace pcmsim {

const char* supported_graph_ops() {
  return "Conv, Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, Clip, Sigmoid, Tanh, MaxPool, "
         "AveragePool, GlobalAveragePool, BatchNormalization, Flatten, Reshape, Concat, Softmax, "
         "Pad, "
         "Identity, Dropout, Constant";
}

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(std::string("cannot open ") + what + " '" + path + "': no such file or unreadable");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// A constant: float data, and the exact integers when it was an integer tensor.
struct Const {
  Shape shape;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool integral = false;
};

Const to_const(const onnx::TensorProto& t, const std::string& where) {
  Const c;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > (int64_t(1) << 32) || (d > 0 && n > (int64_t(1) << 34) / d)) {
      throw Error(where + ": dimension " + std::to_string(d) + " is negative or too large");
    }
    c.shape.push_back(d);
    n *= d;
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw Error(where + ": external data is not supported");
  const std::string& raw = t.raw_data();
  auto need = [&](size_t bytes, size_t have) {
    if (have != bytes) {
      throw Error(where + ": holds " + std::to_string(have) + " bytes of data, shape " +
                  shape_str(c.shape) + " needs " + std::to_string(bytes));
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      c.f.resize(size_t(n));
      if (!raw.empty()) {
        need(size_t(n) * 4, raw.size());
        std::memcpy(c.f.data(), raw.data(), raw.size());
      } else {
        need(size_t(n), size_t(t.float_data_size()));
        c.f.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case onnx::TensorProto::DOUBLE: {
      std::vector<double> d(static_cast<size_t>(n));
      if (!raw.empty()) {
        need(size_t(n) * 8, raw.size());
        std::memcpy(d.data(), raw.data(), raw.size());
      } else {
        need(size_t(n), size_t(t.double_data_size()));
        d.assign(t.double_data().begin(), t.double_data().end());
      }
      c.f.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto::INT64:
      c.integral = true;
      c.i.resize(size_t(n));
      if (!raw.empty()) {
        need(size_t(n) * 8, raw.size());
        std::memcpy(c.i.data(), raw.data(), raw.size());
      } else {
        need(size_t(n), size_t(t.int64_data_size()));
        c.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      c.f.assign(c.i.begin(), c.i.end());
      break;
    case onnx::TensorProto::INT32:
      c.integral = true;
      if (!raw.empty()) {
        need(size_t(n) * 4, raw.size());
        std::vector<int32_t> v(static_cast<size_t>(n));
        std::memcpy(v.data(), raw.data(), raw.size());
        c.i.assign(v.begin(), v.end());
      } else {
        need(size_t(n), size_t(t.int32_data_size()));
        c.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      c.f.assign(c.i.begin(), c.i.end());
      break;
    default:
      throw Error(where + ": data type " + std::to_string(t.data_type()) +
                  " is not supported (float, double, int32, int64)");
  }
  for (float v : c.f)
    if (!std::isfinite(v)) throw Error(where + ": holds a value that is not finite (inf or NaN)");
  return c;
}

class GraphImporter {
 public:
  GraphImporter(std::string path, const std::map<std::string, Tensor>& bind)
      : m_path(std::move(path)), m_bind(bind) {}

  Graph run() {
    onnx::ModelProto model;
    const std::string bytes = read_file(m_path, "ONNX file");
    if (bytes.empty() || !model.ParseFromString(bytes)) {
      throw Error(
          m_path +
          ": not a valid ONNX model (the protobuf does not parse; truncated or corrupt file?)");
    }
    if (!model.has_graph()) throw Error(m_path + ": ONNX model has no graph");
    m_g.source = m_path;
    for (const auto& o : model.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") m_g.opset = int(o.version());
    const onnx::GraphProto& g = model.graph();
    for (const auto& t : g.initializer())
      m_consts[t.name()] = to_const(t, m_path + ": initializer '" + t.name() + "'");
    for (const auto& kv : m_bind) {
      Const c;
      c.shape = kv.second.shape;
      c.f = kv.second.data;
      // Bound data of whole numbers can serve as an integer tensor (shapes, pads).
      c.integral = std::all_of(c.f.begin(), c.f.end(), [](float v) { return std::floor(v) == v; });
      if (c.integral) c.i.assign(c.f.begin(), c.f.end());
      m_consts[kv.first] = c;
    }
    // 1. The data input: the first graph input that is not a constant.
    for (const auto& vi : g.input()) {
      if (m_consts.count(vi.name())) continue;
      const auto& shape = vi.type().tensor_type().shape();
      Shape s;
      for (int i = 1; i < shape.dim_size(); ++i) {
        if (!shape.dim(i).has_dim_value() || shape.dim(i).dim_value() <= 0) {
          throw Error(m_path + ": input '" + vi.name() + "' dimension " + std::to_string(i) +
                      " is not a fixed positive size");
        }
        s.push_back(shape.dim(i).dim_value());
      }
      if (shape.dim_size() < 2)
        throw Error(m_path + ": input '" + vi.name() + "' needs a batch and a sample dimension");
      m_g.input = add_value(vi.name(), s);
      break;
    }
    if (m_g.input < 0) throw Error(m_path + ": the graph has no data input");
    // 2. Nodes in order (ONNX requires topological order).
    for (const auto& node : g.node()) import_node(node);
    if (g.output_size() < 1) throw Error(m_path + ": the graph has no output");
    auto it = m_values.find(g.output(0).name());
    if (it == m_values.end())
      throw Error(m_path + ": graph output '" + g.output(0).name() +
                  "' is not computed from the input");
    m_g.output = it->second;
    return std::move(m_g);
  }

 private:
  int add_value(const std::string& name, const Shape& s) {
    m_g.values.push_back({name, s});
    m_values[name] = int(m_g.values.size()) - 1;
    return int(m_g.values.size()) - 1;
  }
  std::string where(const onnx::NodeProto& n) const {
    return m_path + ": node '" +
           (n.name().empty() ? (n.output_size() ? n.output(0) : std::string("?")) : n.name()) +
           "' (" + n.op_type() + ")";
  }
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& rule) const {
    throw Error(where(n) + ": " + rule);
  }

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t def) const {
    const auto* a = attr(n, name);
    return a ? a->i() : def;
  }
  float attr_float(const onnx::NodeProto& n, const std::string& name, float def) const {
    const auto* a = attr(n, name);
    return a ? a->f() : def;
  }
  std::string attr_str(const onnx::NodeProto& n, const std::string& name,
                       const std::string& def) const {
    const auto* a = attr(n, name);
    return a ? a->s() : def;
  }
  std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name) const {
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  }

  bool is_const(const std::string& name) const { return m_consts.count(name) > 0; }
  const Const& constant(const onnx::NodeProto& n, int idx) const {
    if (n.input_size() <= idx || n.input(idx).empty())
      fail(n, "missing input " + std::to_string(idx));
    auto it = m_consts.find(n.input(idx));
    if (it == m_consts.end()) {
      fail(n, "input '" + n.input(idx) +
                  "' must be a constant initializer (weights computed at run time cannot be "
                  "programmed into a crossbar)");
    }
    return it->second;
  }
  float scalar_of(const onnx::NodeProto& n, int idx) const {
    const Const& c = constant(n, idx);
    if (c.f.size() != 1) fail(n, "input '" + n.input(idx) + "' must hold one value");
    return c.f[0];
  }
  int activation(const onnx::NodeProto& n, int idx) const {
    if (n.input_size() <= idx || n.input(idx).empty())
      fail(n, "missing input " + std::to_string(idx));
    auto it = m_values.find(n.input(idx));
    if (it == m_values.end()) {
      if (is_const(n.input(idx)))
        fail(n, "input '" + n.input(idx) +
                    "' is a constant; this input must be computed from the data");
      fail(n, "input '" + n.input(idx) + "' is neither a constant nor computed by an earlier node");
    }
    return it->second;
  }
  // By value: emit() appends to m_g.values, which would leave a reference dangling.
  Shape shape_of(int v) const { return m_g.values[size_t(v)].shape; }

  GraphNode& emit(const onnx::NodeProto& n, GraphOp op, std::vector<int> inputs, const Shape& out) {
    GraphNode g;
    g.name = n.name().empty() ? n.output(0) : n.name();
    g.onnx_op = n.op_type();
    g.op = op;
    g.inputs = std::move(inputs);
    g.output = add_value(n.output(0), out);
    m_g.nodes.push_back(std::move(g));
    return m_g.nodes.back();
  }

  /// A constant broadcast to the per-sample shape @p s (its leading batch dimension, if any,
  /// must be 1).
  Tensor broadcast(const onnx::NodeProto& n, const Const& c, const Shape& s) const {
    Shape k = c.shape;
    if (k.size() == s.size() + 1) {
      if (k[0] != 1) fail(n, "constant shape " + shape_str(c.shape) + " varies over the batch");
      k.erase(k.begin());
    }
    if (k.size() > s.size())
      fail(n, "constant shape " + shape_str(c.shape) + " does not broadcast to " + shape_str(s));
    Shape kk(s.size() - k.size(), 1);
    kk.insert(kk.end(), k.begin(), k.end());
    for (size_t d = 0; d < s.size(); ++d)
      if (kk[d] != 1 && kk[d] != s[d])
        fail(n, "constant shape " + shape_str(c.shape) + " does not broadcast to " + shape_str(s));
    Tensor t;
    t.shape = s;
    t.data.resize(size_t(numel(s)));
    std::vector<int64_t> st(s.size(), 1), kst(s.size(), 1);
    for (int d = int(s.size()) - 2; d >= 0; --d) {
      st[size_t(d)] = st[size_t(d + 1)] * s[size_t(d + 1)];
      kst[size_t(d)] = kst[size_t(d + 1)] * kk[size_t(d + 1)];
    }
    for (int64_t i = 0; i < numel(s); ++i) {
      int64_t rem = i, src = 0;
      for (size_t d = 0; d < s.size(); ++d) {
        int64_t idx = rem / st[d];
        rem %= st[d];
        if (kk[d] != 1) src += idx * kst[d];
      }
      t.data[size_t(i)] = c.f[size_t(src)];
    }
    return t;
  }

  /// Window geometry of Conv and pooling: kernel, strides, dilations, pads (auto_pad resolved),
  /// output size. @p ceil rounds the output size up (pooling ceil_mode).
  Shape window(const onnx::NodeProto& n, GraphNode& g, const Shape& in, int kh, int kw,
               bool ceil) const {
    if (in.size() != 3)
      fail(n, "supports 2-D inputs (N, C, H, W); per-sample input shape is " + shape_str(in));
    if (kh < 1 || kw < 1) fail(n, "kernel sizes must be at least 1");
    g.kernel[0] = kh;
    g.kernel[1] = kw;
    auto strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations"),
         pads = attr_ints(n, "pads");
    if (!strides.empty() && strides.size() != 2) fail(n, "strides must have 2 values");
    if (!dil.empty() && dil.size() != 2) fail(n, "dilations must have 2 values");
    if (!pads.empty() && pads.size() != 4) fail(n, "pads must have 4 values");
    for (int d = 0; d < 2; ++d) {
      g.stride[d] = strides.empty() ? 1 : int(strides[size_t(d)]);
      g.dilation[d] = dil.empty() ? 1 : int(dil[size_t(d)]);
      if (g.stride[d] < 1 || g.dilation[d] < 1) fail(n, "strides and dilations must be positive");
    }
    const std::string auto_pad = attr_str(n, "auto_pad", "NOTSET");
    Shape out = {0, 0, 0};
    for (int d = 0; d < 2; ++d) {
      const int64_t size = in[size_t(d + 1)], span = int64_t(g.kernel[d] - 1) * g.dilation[d] + 1;
      if (auto_pad == "NOTSET") {
        g.pad[d] = pads.empty() ? 0 : int(pads[size_t(d)]);
        g.pad[d + 2] = pads.empty() ? 0 : int(pads[size_t(d + 2)]);
      } else if (auto_pad == "VALID") {
        g.pad[d] = g.pad[d + 2] = 0;
      } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        int64_t o = (size + g.stride[d] - 1) / g.stride[d];
        int64_t total = std::max<int64_t>(0, (o - 1) * g.stride[d] + span - size);
        int64_t small = total / 2, large = total - small;
        g.pad[d] = int(auto_pad == "SAME_UPPER" ? small : large);
        g.pad[d + 2] = int(auto_pad == "SAME_UPPER" ? large : small);
      } else {
        fail(n, "auto_pad = " + auto_pad + " is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
      }
      if (g.pad[d] < 0 || g.pad[d + 2] < 0) fail(n, "negative pads are not supported");
      const int64_t extent = size + g.pad[d] + g.pad[d + 2] - span;
      if (extent < 0)
        fail(n, "the window (" + std::to_string(span) + ") is larger than the padded input");
      int64_t o = (ceil ? (extent + g.stride[d] - 1) / g.stride[d] : extent / g.stride[d]) + 1;
      // ceil_mode: the last window must start inside the input or its leading pad (as PyTorch
      // and ONNX Runtime compute it).
      if (ceil && (o - 1) * g.stride[d] >= size + g.pad[d]) --o;
      out[size_t(d + 1)] = o;
    }
    return out;
  }

  void import_node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (n.output_size() < 1) fail(n, "node has no output");
    if (op != "Constant" && (n.input_size() < 1 || n.input(0).empty()))
      fail(n, "node has no input");
    if (op == "Constant") {
      const auto* v = attr(n, "value");
      if (!v || !v->has_t()) fail(n, "only the 'value' tensor form is supported");
      m_consts[n.output(0)] = to_const(v->t(), where(n));
      return;
    }
    if (op == "Identity" || op == "Dropout") {
      if (is_const(n.input(0))) {
        m_consts[n.output(0)] = m_consts.at(n.input(0));
        return;
      }
      int x = activation(n, 0);
      emit(n, GraphOp::Identity, {x}, shape_of(x));
      return;
    }
    if (op == "Conv") {
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
      g.weight.data = w.f;
      if (n.input_size() > 2 && !n.input(2).empty()) {
        const Const& b = constant(n, 2);
        if (numel(b.shape) != w.shape[0])
          fail(n, "bias has " + std::to_string(numel(b.shape)) + " values, expected " +
                      std::to_string(w.shape[0]));
        g.bias.shape = {w.shape[0]};
        g.bias.data = b.f;
      }
      return;
    }
    if (op == "Gemm" || op == "MatMul") {
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
      return;
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
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
      return;
    }
    if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "LeakyRelu") {
      int x = activation(n, 0);
      GraphOp gop = op == "Relu"      ? GraphOp::Relu
                    : op == "Sigmoid" ? GraphOp::Sigmoid
                    : op == "Tanh"    ? GraphOp::Tanh
                                      : GraphOp::LeakyRelu;
      GraphNode& g = emit(n, gop, {x}, shape_of(x));
      g.alpha = attr_float(n, "alpha", 0.01f);
      return;
    }
    if (op == "Clip") {
      int x = activation(n, 0);
      float lo = -std::numeric_limits<float>::infinity(),
            hi = std::numeric_limits<float>::infinity();
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
      return;
    }
    if (op == "MaxPool" || op == "AveragePool") {
      if (n.output_size() > 1 && !n.output(1).empty())
        fail(n, "the Indices output is not supported");
      int x = activation(n, 0);
      auto ks = attr_ints(n, "kernel_shape");
      if (ks.size() != 2) fail(n, "supports 2-D pooling (kernel_shape with 2 values)");
      GraphNode tmp;
      Shape out =
          window(n, tmp, shape_of(x), int(ks[0]), int(ks[1]), attr_int(n, "ceil_mode", 0) != 0);
      out[0] = shape_of(x)[0];
      GraphNode& g = emit(n, op == "MaxPool" ? GraphOp::MaxPool : GraphOp::AveragePool, {x}, out);
      std::copy(tmp.kernel, tmp.kernel + 2, g.kernel);
      std::copy(tmp.stride, tmp.stride + 2, g.stride);
      std::copy(tmp.dilation, tmp.dilation + 2, g.dilation);
      std::copy(tmp.pad, tmp.pad + 4, g.pad);
      g.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
      return;
    }
    if (op == "GlobalAveragePool") {
      int x = activation(n, 0);
      if (shape_of(x).size() != 3)
        fail(n, "supports 2-D inputs (N, C, H, W); per-sample input shape is " +
                    shape_str(shape_of(x)));
      emit(n, GraphOp::GlobalAveragePool, {x}, {shape_of(x)[0], 1, 1});
      return;
    }
    if (op == "BatchNormalization") {
      int x = activation(n, 0);
      for (int i = 1; i < n.output_size(); ++i)
        if (!n.output(i).empty())
          fail(n, "training-mode outputs (running mean/var) are not supported");
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
      }
      return;
    }
    if (op == "Flatten") {
      int x = activation(n, 0);
      int64_t axis = attr_int(n, "axis", 1);
      if (axis < 0) axis += int64_t(shape_of(x).size()) + 1;
      if (axis != 1) fail(n, "only axis = 1 is supported (other axes merge samples of the batch)");
      emit(n, GraphOp::Flatten, {x}, {numel(shape_of(x))});
      return;
    }
    if (op == "Reshape") {
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
      return;
    }
    if (op == "Concat") {
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
            fail(n,
                 "input shapes " + shape_str(s0) + " and " + shape_str(s) + " differ off the axis");
        out[size_t(axis - 1)] += s[size_t(axis - 1)];
      }
      GraphNode& g = emit(n, GraphOp::Concat, ins, out);
      g.axis = int(axis - 1);
      return;
    }
    if (op == "Softmax") {
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
      return;
    }
    if (op == "Pad") {
      int x = activation(n, 0);
      if (attr_str(n, "mode", "constant") != "constant")
        fail(n, "only mode = constant is supported");
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
      return;
    }
    fail(n, "unsupported operator '" + op + "'; supported: " + supported_graph_ops());
  }

  std::string m_path;
  const std::map<std::string, Tensor>& m_bind;
  Graph m_g;
  std::map<std::string, Const> m_consts;
  std::map<std::string, int> m_values;
};

}  // namespace

Graph import_onnx_graph(const std::string& path, const std::map<std::string, Tensor>& bind) {
  return GraphImporter(path, bind).run();
}

Tensor read_tensor_pb(const std::string& path) {
  onnx::TensorProto t;
  const std::string bytes = read_file(path, "tensor file");
  if (!t.ParseFromString(bytes)) throw Error(path + ": not a serialized ONNX tensor");
  Const c = to_const(t, path);
  return Tensor{c.shape, c.f};
}

}  // namespace pcmsim
