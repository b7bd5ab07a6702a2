#include "models/array/column_sums.h"

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PCMSIM_X86 1
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

namespace {

void batch_generic(const float* x, int n, int ld_x, const float* g, int rows, int cols, double* acc,
                   int ld_acc) {
  for (int v = 0; v < n; ++v)
    accumulate_columns(x + long(v) * ld_x, g, rows, cols, acc + long(v) * ld_acc);
}

#ifdef PCMSIM_X86
#define PCMSIM_AVX512 __attribute__((target("avx512f,avx512vl")))

// GCC 12's _mm512_cvtps_pd passes an undefined register as its (fully overwritten) merge
// source, which -Wmaybe-uninitialized reports; the conversion below goes through the masked
// form with a zero source instead.
PCMSIM_AVX512 inline __m512d widen(__m256 v) {
  return _mm512_mask_cvtps_pd(_mm512_setzero_pd(), __mmask8(0xFF), v);
}

/// NV vectors × (8 × NK) columns from c0, the last chunk masked to the columns left: NV × NK
/// accumulators of 8 doubles stay in registers over all rows. A row whose NV inputs are all
/// zero adds nothing (as the one-vector loop skips it).
template <int NV, int NK>
PCMSIM_AVX512 void block_avx512(const float* x, int ld_x, const float* g, int rows, int cols,
                                int c0, int width, double* acc, int ld_acc) {
  __mmask8 mask[NK];
  for (int k = 0; k < NK; ++k) {
    const int left = std::clamp(width - 8 * k, 0, 8);
    mask[k] = __mmask8((1u << left) - 1u);
  }
  __m512d a[NV][NK];
  for (int v = 0; v < NV; ++v)
    for (int k = 0; k < NK; ++k)
      a[v][k] = _mm512_maskz_loadu_pd(mask[k], acc + long(v) * ld_acc + c0 + 8 * k);
  for (int r = 0; r < rows; ++r) {
    float xr[NV];
    bool any = false;
    for (int v = 0; v < NV; ++v) {
      xr[v] = x[long(v) * ld_x + r];
      any |= xr[v] != 0.0f;
    }
    if (!any) continue;
    const float* gr = g + long(r) * cols + c0;
    __m512d gd[NK];
    for (int k = 0; k < NK; ++k) gd[k] = widen(_mm256_maskz_loadu_ps(mask[k], gr + 8 * k));
    for (int v = 0; v < NV; ++v) {
      const __m512d xv = _mm512_set1_pd(double(xr[v]));
      for (int k = 0; k < NK; ++k) a[v][k] = _mm512_fmadd_pd(xv, gd[k], a[v][k]);
    }
  }
  for (int v = 0; v < NV; ++v)
    for (int k = 0; k < NK; ++k)
      _mm512_mask_storeu_pd(acc + long(v) * ld_acc + c0 + 8 * k, mask[k], a[v][k]);
}

template <int NV>
PCMSIM_AVX512 void columns_avx512(const float* x, int ld_x, const float* g, int rows, int cols,
                                  double* acc, int ld_acc) {
  for (int c0 = 0; c0 < cols; c0 += 32) {
    const int width = std::min(32, cols - c0);
    switch ((width + 7) / 8) {
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
                                double* acc, int ld_acc) {
  int v = 0;
  for (; v + 4 <= n; v += 4)
    columns_avx512<4>(x + long(v) * ld_x, ld_x, g, rows, cols, acc + long(v) * ld_acc, ld_acc);
  const float* xv = x + long(v) * ld_x;
  double* av = acc + long(v) * ld_acc;
  switch (n - v) {
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
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  return yes;
}
#endif

}  // namespace

void accumulate_columns_batch(const float* x, int n, int ld_x, const float* g, int rows, int cols,
                              double* acc, int ld_acc) {
#ifdef PCMSIM_X86
  if (has_avx512()) {
    batch_avx512(x, n, ld_x, g, rows, cols, acc, ld_acc);
    return;
  }
#endif
  batch_generic(x, n, ld_x, g, rows, cols, acc, ld_acc);
}

}  // namespace pcmsim
