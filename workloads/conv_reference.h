#pragma once
// The FP32 reference's 2-D convolution (eval_node's Conv): every output the bias, then w x x
// added for every input channel, kernel row and kernel column in that order, in double, taps
// whose input falls in the padding skipped; rounded to float once. An AVX-512 kernel gives the
// scalar loop's bits where the CPU has it.

#include <vector>

#include "workloads/graph.h"

namespace pcmsim {

/// @brief Conv node @p n on input @p x of per-sample shape @p in (C, H, W); writes @p y of
/// shape @p out (M, OH, OW). Output channels run on the default threads (the same sums on any
/// number).
void conv_reference(const GraphNode& n, const Shape& in, const Shape& out,
                    const std::vector<float>& x, std::vector<float>& y);

}  // namespace pcmsim
