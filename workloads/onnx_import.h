#pragma once

#include <string>

#include "workloads/network.h"

namespace pcmsim {

/// @brief Imports a fully connected ONNX network (Gemm, MatMul, Add with a constant, Relu,
/// Flatten; Identity and Dropout pass through). Throws Error naming the file, the node and the
/// rule for anything it cannot import: unreadable or truncated file, unsupported operator,
/// weights that are not constant initializers, shape mismatches, branching graphs.
Network import_onnx(const std::string& path);

/// @brief The operators import_onnx accepts, for messages and docs.
const char* supported_onnx_ops();

}  // namespace pcmsim
