#include "workloads/onnx_import.h"

#include "sim/framework/error.h"
#include "workloads/onnx_graph.h"

namespace pcmsim {

const char* supported_onnx_ops() {
  return "Gemm, MatMul, Add (bias), Relu, Flatten, Reshape, Identity, Dropout";
}

Network import_onnx(const std::string& path) {
  // The chip runs chains of fully connected layers in this version: import the graph, then
  // accept the chains it can map.
  const Graph g = import_onnx_graph(path);
  Network net;
  net.source = path;
  net.input_name = g.values[size_t(g.input)].name;
  net.output_name = g.values[size_t(g.output)].name;
  net.input_shape = g.input_shape();
  int current = g.input;
  auto where = [&](const GraphNode& n) {
    return path + ": node '" + n.name + "' (" + n.onnx_op + ")";
  };
  for (const GraphNode& n : g.nodes) {
    if (n.inputs.size() != 1 || n.inputs[0] != current) {
      throw Error(where(n) +
                  ": its input is not the output of the previous layer; the chip maps chains of "
                  "layers in this version");
    }
    current = n.output;
    Layer l;
    l.name = n.name;
    l.onnx_op = n.onnx_op;
    l.in = l.out = numel(g.values[size_t(n.output)].shape);
    switch (n.op) {
      case GraphOp::Dense:
        l.op = LayerOp::Dense;
        l.in = n.weight.shape[0];
        l.out = n.weight.shape[1];
        l.weight = n.weight.data;
        l.bias = n.bias.data;
        break;
      case GraphOp::Add:
        // A constant added right after a fully connected layer is its bias.
        // (Addition commutes: the constant may be either operand.)
        if (!n.constant.data.empty() && !net.layers.empty() &&
            net.layers.back().op == LayerOp::Dense) {
          Layer& prev = net.layers.back();
          if (prev.bias.empty()) prev.bias.assign(size_t(prev.out), 0.0f);
          for (int64_t o = 0; o < prev.out; ++o) prev.bias[size_t(o)] += n.constant.data[size_t(o)];
          continue;
        }
        throw Error(where(n) +
                    ": adding is mapped to the chip only as the bias right after Gemm or MatMul");
      case GraphOp::Relu:
        l.op = LayerOp::Relu;
        break;
      case GraphOp::Flatten:
      case GraphOp::Reshape:
        if (g.values[size_t(n.output)].shape.size() != 1) {
          throw Error(where(n) +
                      ": only reshapes to one dimension per sample are mapped to the chip");
        }
        l.op = LayerOp::Flatten;
        break;
      case GraphOp::Identity:
        continue;
      default:
        throw Error(where(n) + ": not mapped to the chip in this version (it maps " +
                    supported_onnx_ops() + ")");
    }
    net.layers.push_back(std::move(l));
  }
  if (current != g.output)
    throw Error(path + ": the graph output is not the end of the layer chain");
  if (net.dense_layers() == 0)
    throw Error(path + ": the network has no Gemm or MatMul layer to map");
  return net;
}

}  // namespace pcmsim
