#include "models/array/column_sums.h"

// No contraction into fused multiply-adds: a multiply and an add, rounded each, in every
// variant (an FMA variant would round once and change the last bits).
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("fp-contract=off")
#endif

namespace pcmsim {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define PCMSIM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PCMSIM_CLONES
#endif

PCMSIM_CLONES
void accumulate_columns(const float* x, const float* g, int rows, int cols, double* acc) {
  for (int r = 0; r < rows; ++r) {
    const double xr = x[r];
    if (xr == 0.0) continue;
    const float* gr = g + static_cast<long>(r) * cols;
    for (int c = 0; c < cols; ++c) acc[c] += xr * double(gr[c]);
  }
}

}  // namespace pcmsim
