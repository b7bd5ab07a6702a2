#pragma once

#include <map>
#include <string>

#include "workloads/graph.h"

namespace pcmsim {

/// @brief The operators import_onnx_graph accepts, for messages and docs.
const char* supported_graph_ops();

/// @brief Imports an ONNX model into the graph IR (opsets 9-17 as PyTorch exports them;
/// initializers listed as graph inputs are constants). The first remaining graph input is the
/// data input, its first dimension the batch. @p bind gives values for further graph inputs,
/// which are then constants (the ONNX test cases feed weights that way). Throws Error naming the
/// file, the node, its op and the rule for anything it cannot import.
Graph import_onnx_graph(const std::string& path, const std::map<std::string, Tensor>& bind = {});

/// @brief Reads a serialized onnx TensorProto file (test-data format) as float (int64 and
/// double data converted). Throws Error.
Tensor read_tensor_pb(const std::string& path);

}  // namespace pcmsim
