#include "workloads/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/framework/error.h"

namespace pcmsim {

const char* supported_onnx_ops() { return "Gemm, MatMul, Add, Relu, Flatten, Identity, Dropout"; }

namespace {

struct Const {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

std::string shape_str(const std::vector<int64_t>& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? ", " : "") + std::to_string(s[i]);
  return o + "]";
}

class Importer {
 public:
  explicit Importer(std::string path) : m_path(std::move(path)) {}

  Network run() {
    onnx::ModelProto model;
    std::ifstream in(m_path, std::ios::binary);
    if (!in) throw Error("cannot open ONNX file '" + m_path + "': no such file or unreadable");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string bytes = buf.str();
    if (bytes.empty() || !model.ParseFromString(bytes)) {
      throw Error(
          m_path +
          ": not a valid ONNX model (the protobuf does not parse; truncated or corrupt file?)");
    }
    if (!model.has_graph()) throw Error(m_path + ": ONNX model has no graph");
    const onnx::GraphProto& g = model.graph();
    for (const auto& t : g.initializer()) m_consts[t.name()] = read_tensor(t);

    Network net;
    net.source = m_path;
    // 1. The data input: the first graph input that is not an initializer (old IR lists them).
    for (const auto& vi : g.input()) {
      if (m_consts.count(vi.name())) continue;
      net.input_name = vi.name();
      const auto& shape = vi.type().tensor_type().shape();
      for (int i = 1; i < shape.dim_size(); ++i) {  // dim 0 is the batch
        if (!shape.dim(i).has_dim_value() || shape.dim(i).dim_value() <= 0) {
          throw Error(m_path + ": input '" + vi.name() + "' dimension " + std::to_string(i) +
                      " is not a fixed positive size");
        }
        net.input_shape.push_back(shape.dim(i).dim_value());
      }
      break;
    }
    if (net.input_name.empty()) throw Error(m_path + ": the graph has no data input");
    if (net.input_shape.empty())
      throw Error(m_path + ": input '" + net.input_name + "' has no per-sample shape");

    // 2. Walk the nodes (ONNX requires topological order) as a chain.
    m_current = net.input_name;
    m_features = net.input_size();
    for (const auto& node : g.node()) import_node(node, net);
    if (g.output_size() != 1)
      throw Error(m_path + ": expected one graph output, found " + std::to_string(g.output_size()));
    net.output_name = g.output(0).name();
    if (net.output_name != m_current) {
      throw Error(m_path + ": graph output '" + net.output_name +
                  "' is not the end of the layer chain ('" + m_current + "')");
    }
    if (net.dense_layers() == 0)
      throw Error(m_path + ": the network has no Gemm or MatMul layer to map");
    return net;
  }

 private:
  Const read_tensor(const onnx::TensorProto& t) {
    Const c;
    int64_t n = 1;
    for (int64_t d : t.dims()) {
      c.shape.push_back(d);
      n *= d;
    }
    std::string where = m_path + ": initializer '" + t.name() + "'";
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      throw Error(where + ": external data is not supported");
    if (t.data_type() != onnx::TensorProto::FLOAT) {
      throw Error(where + ": data type " + std::to_string(t.data_type()) +
                  " is not supported (FLOAT only)");
    }
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != size_t(n) * 4) {
        throw Error(where + ": raw data holds " + std::to_string(t.raw_data().size()) +
                    " bytes, shape " + shape_str(c.shape) + " needs " + std::to_string(n * 4));
      }
      c.data.resize(n);
      std::memcpy(c.data.data(), t.raw_data().data(), size_t(n) * 4);
    } else {
      if (t.float_data_size() != n) {
        throw Error(where + ": holds " + std::to_string(t.float_data_size()) + " values, shape " +
                    shape_str(c.shape) + " needs " + std::to_string(n));
      }
      c.data.assign(t.float_data().begin(), t.float_data().end());
    }
    return c;
  }

  std::string node_where(const onnx::NodeProto& n) const {
    return m_path + ": node '" + (n.name().empty() ? n.output(0) : n.name()) + "' (" + n.op_type() +
           ")";
  }

  const Const& weight_input(const onnx::NodeProto& n, int idx) {
    if (n.input_size() <= idx)
      throw Error(node_where(n) + ": missing input " + std::to_string(idx));
    auto it = m_consts.find(n.input(idx));
    if (it == m_consts.end()) {
      throw Error(node_where(n) + ": input '" + n.input(idx) +
                  "' must be a constant initializer (weights computed at run time cannot be "
                  "programmed into a crossbar)");
    }
    return it->second;
  }

  void expect_chain_input(const onnx::NodeProto& n, int idx) {
    if (n.input_size() <= idx || n.input(idx) != m_current) {
      throw Error(node_where(n) + ": input '" +
                  (n.input_size() > idx ? n.input(idx) : std::string()) +
                  "' is not the output of the previous layer ('" + m_current +
                  "'); only chains of layers are supported in this version");
    }
  }

  static int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t def) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.i();
    return def;
  }
  static float attr_float(const onnx::NodeProto& n, const std::string& name, float def) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.f();
    return def;
  }

  void import_node(const onnx::NodeProto& n, Network& net) {
    const std::string& op = n.op_type();
    if (n.output_size() < 1) throw Error(node_where(n) + ": node has no output");
    Layer l;
    l.name = n.name().empty() ? n.output(0) : n.name();
    l.onnx_op = op;
    l.in = l.out = m_features;
    if (op == "Gemm" || op == "MatMul") {
      expect_chain_input(n, 0);
      const Const& b = weight_input(n, 1);
      if (b.shape.size() != 2)
        throw Error(node_where(n) + ": weight '" + n.input(1) + "' has shape " +
                    shape_str(b.shape) + ", expected 2-D");
      bool trans_b = op == "Gemm" && attr_int(n, "transB", 0) != 0;
      if (op == "Gemm" && attr_int(n, "transA", 0) != 0)
        throw Error(node_where(n) + ": transA = 1 is not supported");
      float alpha = op == "Gemm" ? attr_float(n, "alpha", 1.0f) : 1.0f;
      float beta = op == "Gemm" ? attr_float(n, "beta", 1.0f) : 1.0f;
      int64_t k = trans_b ? b.shape[1] : b.shape[0];
      int64_t m = trans_b ? b.shape[0] : b.shape[1];
      if (k != m_features) {
        throw Error(node_where(n) + ": weight '" + n.input(1) + "' " + shape_str(b.shape) +
                    (trans_b ? " (transposed)" : "") + " expects " + std::to_string(k) +
                    " input features, the previous layer gives " + std::to_string(m_features));
      }
      l.op = LayerOp::Dense;
      l.in = k;
      l.out = m;
      l.weight.resize(size_t(k * m));
      for (int64_t i = 0; i < k; ++i)
        for (int64_t o = 0; o < m; ++o)
          l.weight[i * m + o] = alpha * (trans_b ? b.data[o * k + i] : b.data[i * m + o]);
      if (op == "Gemm" && n.input_size() > 2 && !n.input(2).empty()) {
        const Const& c = weight_input(n, 2);
        l.bias = broadcast_bias(n, c, m);
        for (float& v : l.bias) v *= beta;
      }
      m_features = m;
    } else if (op == "Add") {
      int data_idx = n.input_size() == 2 && n.input(1) == m_current ? 1 : 0;
      expect_chain_input(n, data_idx);
      const Const& c = weight_input(n, 1 - data_idx);
      if (net.layers.empty() || net.layers.back().op != LayerOp::Dense) {
        throw Error(
            node_where(n) +
            ": adding a constant is supported only right after a Gemm or MatMul (as its bias)");
      }
      Layer& prev = net.layers.back();
      std::vector<float> b = broadcast_bias(n, c, prev.out);
      if (prev.bias.empty()) prev.bias.assign(prev.out, 0.0f);
      for (int64_t o = 0; o < prev.out; ++o) prev.bias[o] += b[o];
      m_current = n.output(0);
      return;
    } else if (op == "Relu") {
      expect_chain_input(n, 0);
      l.op = LayerOp::Relu;
    } else if (op == "Flatten") {
      expect_chain_input(n, 0);
      if (attr_int(n, "axis", 1) != 1) throw Error(node_where(n) + ": only axis = 1 is supported");
      l.op = LayerOp::Flatten;
    } else if (op == "Identity" || op == "Dropout") {
      expect_chain_input(n, 0);
      m_current = n.output(0);
      return;
    } else {
      throw Error(node_where(n) + ": unsupported operator '" + op +
                  "'; supported: " + supported_onnx_ops());
    }
    m_current = n.output(0);
    net.layers.push_back(std::move(l));
  }

  std::vector<float> broadcast_bias(const onnx::NodeProto& n, const Const& c, int64_t m) {
    int64_t numel = int64_t(c.data.size());
    if (numel == 1) return std::vector<float>(m, c.data[0]);
    if (numel == m) return c.data;
    throw Error(node_where(n) + ": bias shape " + shape_str(c.shape) + " does not broadcast to " +
                std::to_string(m) + " outputs");
  }

  std::string m_path;
  std::map<std::string, Const> m_consts;
  std::string m_current;
  int64_t m_features = 0;
};

}  // namespace

Network import_onnx(const std::string& path) { return Importer(path).run(); }

}  // namespace pcmsim
