#pragma once
// The graph IR: a DAG of operations on per-sample tensors (batch dimension stripped), built by
// the ONNX importer with every shape inferred and checked. Weights are constants held by the
// nodes that use them. run_reference() evaluates a graph in FP32 (the ground truth the mapped
// chip is compared with).

#include <cstdint>
#include <string>
#include <vector>

#include "models/tech/tech_table.h"

namespace pcmsim {

using Shape = std::vector<int64_t>;
int64_t numel(const Shape& s);
std::string shape_str(const Shape& s);

struct Tensor {
  Shape shape;
  std::vector<float> data;
};

enum class GraphOp {
  Conv,   ///< 2-D convolution (C, H, W) -> (M, H', W'); weight [M, C/group, kh, kw]
  Dense,  ///< fully connected; weight [in, out] row-major
  Add,
  Sub,
  Mul,
  Div,  ///< element-wise, two activations or an activation and a constant
  Relu,
  LeakyRelu,
  Clip,
  Sigmoid,
  Tanh,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  BatchNorm,  ///< inference batch normalization as a per-channel affine: scale * x + shift
  Flatten,
  Reshape,
  Concat,
  Softmax,
  Pad,
  Identity
};

/// @brief One operation. Field use depends on op (see GraphOp).
struct GraphNode {
  std::string name;     ///< ONNX node name (or its first output's name)
  std::string onnx_op;  ///< the ONNX op type it came from
  GraphOp op = GraphOp::Identity;
  std::vector<int> inputs;      ///< value ids of activation inputs
  int output = -1;              ///< value id
  Tensor weight, bias;          ///< Conv, Dense
  Tensor constant;              ///< element-wise with a constant: expanded to the output shape
  bool constant_first = false;  ///< Sub/Div: the constant is the left operand
  int kernel[2] = {1, 1}, stride[2] = {1, 1}, dilation[2] = {1, 1};
  int pad[4] = {0, 0, 0, 0};  ///< top, left, bottom, right
  int group = 1;
  bool count_include_pad = false;
  float alpha = 0.01f, lo = 0.0f, hi = 0.0f, pad_value = 0.0f;
  int axis = 0;                     ///< Softmax, Concat: per-sample axis
  std::vector<float> scale, shift;  ///< BatchNorm per channel
  /// BatchNorm: its learned affine (gamma, beta) and epsilon, with which new statistics give a
  /// new scale and shift (compensation: batchnorm); empty where the node did not keep them.
  std::vector<float> bn_gamma, bn_beta;
  float bn_eps = 1e-5f;
  std::vector<int64_t> pads_begin, pads_end;  ///< Pad, per-sample dims
};

struct GraphValue {
  std::string name;
  Shape shape;  ///< per sample
};

struct Graph {
  std::string source;
  int opset = 0;
  std::vector<GraphValue> values;
  std::vector<GraphNode> nodes;  ///< topological order
  int input = -1, output = -1;
  const Shape& input_shape() const { return values[size_t(input)].shape; }
  const Shape& output_shape() const { return values[size_t(output)].shape; }
};

/// @brief The window geometry of Conv and pooling nodes, in one place: the input position along
/// dimension @p d (0: height, 1: width) that kernel tap @p k of output position @p o reads,
/// o x stride - pad + k x dilation; outside [0, size) it falls in the padding.
inline int64_t window_input(const GraphNode& n, int d, int64_t o, int64_t k) {
  return o * n.stride[d] - n.pad[d] + k * n.dilation[d];
}

/// @brief FP32 evaluation of one sample; returns the output tensor (flattened, output_shape()).
std::vector<float> run_reference(const Graph& g, const float* x);
/// @brief FP32 evaluation of one sample; returns every value of the graph (by value id).
std::vector<std::vector<float>> run_reference_values(const Graph& g, const float* x);

/// @brief FP32 evaluation of one node of @p g on its input buffers (in the order of
/// n.inputs); writes @p out. The digital steps of the mapped network use it too.
void eval_node(const Graph& g, const GraphNode& n, const std::vector<const std::vector<float>*>& in,
               std::vector<float>& out);

/// @brief Element operations node @p n costs on a digital unit, by kind, per output element:
/// Add/Sub one add, Mul one multiply, Div one divide; Relu one compare, Clip two, LeakyRelu a
/// compare and a multiply; BatchNorm a multiply and an add; Sigmoid 1 / (1 + e^-x) an exp, an
/// add and a divide; Tanh (e^2x - 1) / (e^2x + 1) an exp, two adds and a divide; MaxPool
/// window - 1 compares; AveragePool window - 1 adds and a multiply (by 1 / window);
/// GlobalAveragePool its inputs' adds less one per output, and a multiply; Softmax a compare
/// (the running max), two adds (x - max, the sum), an exp and a divide. Conv and Dense (analog),
/// views (Flatten, Reshape, Identity, Concat) and Pad (data movement only, charged as buffer
/// traffic) do none.
OpCounts digital_op_counts(const Graph& g, const GraphNode& n);

/// @brief True for nodes that move no data and compute nothing (Flatten, Reshape, Identity,
/// Concat): a different view of values already in the buffer.
bool is_view(GraphOp op);

/// @brief True for nodes that transform each element of their one input on its own (or per
/// channel): a digital unit can apply them to a producer's outputs as they are assembled.
bool is_elementwise(const GraphNode& n);

/// @brief A BatchNorm node's affine with per-channel @p scale and @p shift on @p x (channel-major,
/// @p scale.size() channels) into @p y: what eval_node does with the node's own.
void batchnorm_affine(const std::vector<float>& scale, const std::vector<float>& shift,
                      const std::vector<float>& x, std::vector<float>& y);

/// @brief Folds every BatchNorm whose input is the output of a Conv or Dense node read by
/// nothing else into that node's weights and bias (w' = w * scale, b' = b * scale + shift per
/// output channel); the BatchNorm becomes an Identity. Returns how many it folded.
int fold_batchnorm(Graph& g);

}  // namespace pcmsim
