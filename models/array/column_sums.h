#pragma once
// The array's inner product: each column's sum over rows of input × conductance difference,
// accumulated in single precision in row order with one fused multiply-add per term (one
// rounding). Every variant — AVX-512 register-blocked, AVX2+FMA, and the portable loop, whose
// std::fma is the same correctly rounded operation — gives the same bits, so results depend
// neither on the machine nor on how many vectors run together. (Decision 56: single-precision
// sums, like PyTorch's FP32 matrix products; the analog noise is five orders of magnitude
// larger than their rounding.)

namespace pcmsim {

/// @brief acc[c] = fma(x[r], g[r × cols + c], acc[c]) for every row r with x[r] != 0, rows in
/// order.
void accumulate_columns(const float* x, const float* g, int rows, int cols, float* acc);

/// @brief For each of @p n vectors v, sums that start at +0: acc[v × ld_acc + c] = fma(x[v ×
/// ld_x + r], g[r × cols + c], acc[v × ld_acc + c]) over the rows in order: vector v's sums are
/// bit for bit those of accumulate_columns() on it alone into zeros. acc's first @p cols values
/// of each vector are written, not read (the padding up to @p ld_acc is left alone).
void column_sums_batch(const float* x, int n, int ld_x, const float* g, int rows, int cols,
                       float* acc, int ld_acc);

}  // namespace pcmsim
