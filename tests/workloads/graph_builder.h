#pragma once
// Builds small graphs directly in the graph IR for tests (random weights from a seed).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/base/rng.h"
#include "workloads/graph.h"

namespace pcmsim {

class GraphBuilder {
 public:
  /// @brief A graph with one input of per-sample shape @p input; weights drawn from @p seed.
  GraphBuilder(const Shape& input, uint64_t seed);
  /// @brief Fully connected layer on value @p v (flattened): weights N(0, 1/in), bias N(0, 0.01).
  int dense(int v, int64_t out, const std::string& name, bool bias = true);
  /// @brief Conv of @p M channels, square kernel @p k, stride, symmetric pad, groups.
  int conv(int v, int64_t M, int k, int stride, int pad, int group, const std::string& name,
           bool bias = true);
  /// @brief A one-input node (Relu, Sigmoid, Flatten ...) keeping the shape (Flatten: 1-D).
  int unary(GraphOp op, int v, const std::string& name);
  /// @brief Element-wise sum of two values of one shape.
  int add(int a, int b, const std::string& name);
  /// @brief MaxPool with a square window @p k and stride @p k.
  int maxpool(int v, int k, const std::string& name);
  /// @brief Per-channel BatchNorm with random scale and shift.
  int batchnorm(int v, const std::string& name);
  /// @brief The graph with output @p v.
  Graph finish(int v);
  Graph& graph() { return m_g; }

 private:
  int value(const std::string& name, const Shape& s);
  float draw(double sigma);
  Graph m_g;
  RngStream m_rng;
  uint64_t m_k = 0;
};

/// @brief A chain of Dense layers sizes[0] -> sizes[1] -> ... with Relu between them.
Graph dense_chain(const std::vector<int64_t>& sizes, uint64_t seed);

}  // namespace pcmsim
