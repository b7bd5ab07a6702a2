#pragma once
// The array's inner product: each column's sum over rows of input × conductance difference,
// accumulated in double in row order. The kernel is compiled for several instruction sets and
// picked at load time; with no fused multiply-add (contraction off) every variant gives the
// same bits, so results do not depend on the machine.

namespace pcmsim {

/// @brief acc[c] += x[r] × g[r × cols + c] for every row r with x[r] != 0, rows in order.
void accumulate_columns(const float* x, const float* g, int rows, int cols, double* acc);

}  // namespace pcmsim
