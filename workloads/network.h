#pragma once
// The network IR of this version: a sequential chain of layers imported from ONNX.
// Fully connected layers hold their weights as an (inputs x outputs) row-major matrix, the
// layout the crossbar uses (inputs drive rows, outputs are read on columns).

#include <cstdint>
#include <string>
#include <vector>

namespace pcmsim {

enum class LayerOp { Dense, Relu, Flatten };

struct Layer {
  std::string name;     ///< ONNX node name (or output name if the node has none)
  std::string onnx_op;  ///< ONNX op type it came from (Gemm, MatMul, Relu, Flatten ...)
  LayerOp op = LayerOp::Relu;
  int64_t in = 0, out = 0;    ///< feature counts (Dense); in == out for element-wise ops
  std::vector<float> weight;  ///< Dense: in x out, row-major
  std::vector<float> bias;    ///< Dense: out values, or empty
};

struct Network {
  std::string source;  ///< file it was imported from
  std::string input_name, output_name;
  std::vector<int64_t> input_shape;  ///< per sample, without the batch dimension
  std::vector<Layer> layers;
  int64_t input_size() const;
  int64_t output_size() const;
  int dense_layers() const;
  int64_t weights() const;  ///< total weights in Dense layers
};

/// @brief FP32 reference forward pass of one sample (for tests and ideal-mode checks).
std::vector<float> reference_forward(const Network& net, const float* x);

}  // namespace pcmsim
