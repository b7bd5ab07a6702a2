#pragma once
// The array's inner product: each column's sum over rows of input × conductance difference,
// accumulated in double in row order. Inputs and conductances are floats, so every product is
// exact in double (24 + 24 significand bits < 53): a fused multiply-add and a multiply followed
// by an add round the same way, once. The kernels are compiled for several instruction sets and
// picked at load time (AVX-512 register-blocked, AVX2 and SSE2 loops); every variant gives the
// same bits, so results depend neither on the machine nor on how many vectors run together.

namespace pcmsim {

/// @brief acc[c] += x[r] × g[r × cols + c] for every row r with x[r] != 0, rows in order.
void accumulate_columns(const float* x, const float* g, int rows, int cols, double* acc);

/// @brief For each of @p n vectors v: acc[v × ld_acc + c] += x[v × ld_x + r] × g[r × cols + c],
/// rows in order: vector v's sums are bit for bit those of accumulate_columns() on it alone.
void accumulate_columns_batch(const float* x, int n, int ld_x, const float* g, int rows, int cols,
                              double* acc, int ld_acc);

}  // namespace pcmsim
