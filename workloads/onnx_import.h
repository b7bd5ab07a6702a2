#pragma once

#include <string>

#include "workloads/network.h"

namespace pcmsim {

/// @brief Imports an ONNX network as a chain of layers the chip maps in this version (Gemm or
/// MatMul with a bias Add, Relu, Flatten/Reshape to 1-D, Identity, Dropout), through the graph
/// importer. Throws Error naming the file, the node and the rule for anything else: unreadable or
/// truncated file, operators the chip does not map yet, weights that are not constant
/// initializers, shape mismatches, branching graphs.
Network import_onnx(const std::string& path);

/// @brief The operators import_onnx accepts, for messages and docs.
const char* supported_onnx_ops();

}  // namespace pcmsim
