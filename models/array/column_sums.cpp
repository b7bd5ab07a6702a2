#include "models/array/column_sums.h"

#include <algorithm>
#include <cmath>

#include "sim/base/clones.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PCMSIM_X86 1
#endif

namespace pcmsim {

PCMSIM_CLONES
void accumulate_columns(const float* x, const float* g, int rows, int cols, float* acc) {
  for (int r = 0; r < rows; ++r) {
    const float xr = x[r];
    if (xr == 0.0f) continue;
    const float* gr = g + static_cast<long>(r) * cols;
    for (int c = 0; c < cols; ++c) acc[c] = std::fma(xr, gr[c], acc[c]);
  }
}

namespace {

void batch_generic(const float* x, int n, int ld_x, const float* g, int rows, int cols, float* acc,
                   int ld_acc) {
  for (int v = 0; v < n; ++v)
    accumulate_columns(x + long(v) * ld_x, g, rows, cols, acc + long(v) * ld_acc);
}

#ifdef PCMSIM_X86
#define PCMSIM_AVX512 __attribute__((target("avx512f")))

/// NV vectors × (16 × NK) columns from c0, the last chunk masked to the columns left: NV × NK
/// accumulators of 16 floats stay in registers over all rows (every index into them a
/// constant once the loops are unrolled: a variable one would keep them in memory). A zero
/// input adds an exact zero, fma(0, g, a) = a (the sums are never -0: they start at +0 and an
/// exact cancellation rounds to +0), so every row is added, as the one-vector loop that skips
/// zero rows would sum. The sums start at +0; acc is only written.
template <int NV, int NK>
PCMSIM_AVX512 void block_avx512(const float* x, int ld_x, const float* g, int rows, int cols,
                                int c0, int width, float* acc, int ld_acc) {
  const __mmask16 last = __mmask16((1u << (width - 16 * (NK - 1))) - 1u);
  __m512 a[NV][NK];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v)
#pragma GCC unroll 4
    for (int k = 0; k < NK; ++k) a[v][k] = _mm512_setzero_ps();
  for (int r = 0; r < rows; ++r) {
    const float* gr = g + long(r) * cols + c0;
    __m512 gv[NK];
#pragma GCC unroll 4
    for (int k = 0; k < NK; ++k)
      gv[k] = k + 1 < NK ? _mm512_loadu_ps(gr + 16 * k) : _mm512_maskz_loadu_ps(last, gr + 16 * k);
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      const __m512 xv = _mm512_set1_ps(x[long(v) * ld_x + r]);
#pragma GCC unroll 4
      for (int k = 0; k < NK; ++k) a[v][k] = _mm512_fmadd_ps(xv, gv[k], a[v][k]);
    }
  }
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v)
#pragma GCC unroll 4
    for (int k = 0; k < NK; ++k)
      _mm512_mask_storeu_ps(acc + long(v) * ld_acc + c0 + 16 * k,
                            k + 1 < NK ? __mmask16(0xFFFF) : last, a[v][k]);
}

template <int NV>
PCMSIM_AVX512 void columns_avx512(const float* x, int ld_x, const float* g, int rows, int cols,
                                  float* acc, int ld_acc) {
  for (int c0 = 0; c0 < cols; c0 += 64) {
    const int width = std::min(64, cols - c0);
    switch ((width + 15) / 16) {
      case 1:
        block_avx512<NV, 1>(x, ld_x, g, rows, cols, c0, width, acc, ld_acc);
        break;
      case 2:
        block_avx512<NV, 2>(x, ld_x, g, rows, cols, c0, width, acc, ld_acc);
        break;
      case 3:
        block_avx512<NV, 3>(x, ld_x, g, rows, cols, c0, width, acc, ld_acc);
        break;
      default:
        block_avx512<NV, 4>(x, ld_x, g, rows, cols, c0, width, acc, ld_acc);
        break;
    }
  }
}

PCMSIM_AVX512 void batch_avx512(const float* x, int n, int ld_x, const float* g, int rows, int cols,
                                float* acc, int ld_acc) {
  // Six vectors at a time: 24 accumulators, 4 conductance vectors and a broadcast input fill
  // the 32 registers.
  constexpr int kVectors = 6;
  int v = 0;
  for (; v + kVectors <= n; v += kVectors)
    columns_avx512<kVectors>(x + long(v) * ld_x, ld_x, g, rows, cols, acc + long(v) * ld_acc,
                             ld_acc);
  const float* xv = x + long(v) * ld_x;
  float* av = acc + long(v) * ld_acc;
  switch (n - v) {
    case 5:
      columns_avx512<5>(xv, ld_x, g, rows, cols, av, ld_acc);
      break;
    case 4:
      columns_avx512<4>(xv, ld_x, g, rows, cols, av, ld_acc);
      break;
    case 3:
      columns_avx512<3>(xv, ld_x, g, rows, cols, av, ld_acc);
      break;
    case 2:
      columns_avx512<2>(xv, ld_x, g, rows, cols, av, ld_acc);
      break;
    case 1:
      columns_avx512<1>(xv, ld_x, g, rows, cols, av, ld_acc);
      break;
    default:
      break;
  }
}

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}
#endif

}  // namespace

void column_sums_batch(const float* x, int n, int ld_x, const float* g, int rows, int cols,
                       float* acc, int ld_acc) {
#ifdef PCMSIM_X86
  if (has_avx512()) {
    batch_avx512(x, n, ld_x, g, rows, cols, acc, ld_acc);
    return;
  }
#endif
  for (int v = 0; v < n; ++v)
    std::fill(acc + long(v) * ld_acc, acc + long(v) * ld_acc + cols, 0.0f);
  batch_generic(x, n, ld_x, g, rows, cols, acc, ld_acc);
}

}  // namespace pcmsim
