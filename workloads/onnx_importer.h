#pragma once
// The ONNX importer's internals: constants as read from initializers, and the GraphImporter that
// turns an ONNX graph into the graph IR node by node, checking and inferring shapes. Its node
// translations, one method per kind of ONNX node, are in onnx_ops.cpp.

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "sim/base/error.h"
#include "workloads/graph.h"

namespace pcmsim {
namespace onnx_import {

/// @brief The bytes of file @p path (a @p what, for errors).
std::string read_file(const std::string& path, const char* what);

/// The bytes of a file, mapped into memory where it is a regular file (a model of 100 MB is not
/// copied), else read.
class FileBytes {
 public:
  FileBytes(const std::string& path, const char* what);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  const char* data() const { return m_map ? static_cast<const char*>(m_map) : m_read.data(); }
  size_t size() const { return m_map ? m_size : m_read.size(); }

 private:
  void* m_map = nullptr;
  size_t m_size = 0;
  std::string m_read;
};

/// A constant: float data, and the exact integers when it was an integer tensor.
struct Const {
  Shape shape;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool integral = false;
};

/// @brief Tensor @p t as a constant; errors name @p where.
Const to_const(const onnx::TensorProto& t, const std::string& where);

class GraphImporter {
 public:
  GraphImporter(std::string path, const std::map<std::string, Tensor>& bind)
      : m_path(std::move(path)), m_bind(bind) {}

  Graph run() {
    onnx::ModelProto model;
    const FileBytes bytes(m_path, "ONNX file");
    if (bytes.size() == 0 || bytes.size() > size_t(std::numeric_limits<int>::max()) ||
        !model.ParseFromArray(bytes.data(), int(bytes.size()))) {
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
    for (const auto& node : g.node())
      for (const std::string& in : node.input()) ++m_uses[in];
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
  /// The float data of constant input @p idx of @p n (checked as constant() checks it), moved
  /// out where no other node input reads it.
  std::vector<float> take_floats(const onnx::NodeProto& n, int idx) {
    constant(n, idx);
    std::vector<float>& f = m_consts.find(n.input(idx))->second.f;
    if (m_uses[n.input(idx)] == 1) return std::move(f);
    return f;
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
  /// One node: its checks, then the translation of its kind (onnx_ops.cpp).
  void import_node(const onnx::NodeProto& n);
  void import_constant(const onnx::NodeProto& n);
  void import_identity(const onnx::NodeProto& n);
  void import_conv(const onnx::NodeProto& n);
  void import_dense(const onnx::NodeProto& n);
  void import_arithmetic(const onnx::NodeProto& n);
  void import_activation(const onnx::NodeProto& n);
  void import_clip(const onnx::NodeProto& n);
  void import_pool(const onnx::NodeProto& n);
  void import_global_pool(const onnx::NodeProto& n);
  void import_batchnorm(const onnx::NodeProto& n);
  void import_flatten(const onnx::NodeProto& n);
  void import_reshape(const onnx::NodeProto& n);
  void import_concat(const onnx::NodeProto& n);
  void import_softmax(const onnx::NodeProto& n);
  void import_pad(const onnx::NodeProto& n);

  std::string m_path;
  const std::map<std::string, Tensor>& m_bind;
  Graph m_g;
  std::map<std::string, Const> m_consts;
  std::map<std::string, int> m_uses;  ///< node inputs reading each name
  std::map<std::string, int> m_values;
};

}  // namespace onnx_import
}  // namespace pcmsim
