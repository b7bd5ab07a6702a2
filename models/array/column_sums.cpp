#include "models/array/column_sums.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

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

/// NV vectors × (16 × NK) columns from c0, the last chunk masked to the columns left, over the
/// @p n rows listed in @p used (LIST; else rows 0 to n - 1): NV × NK accumulators of 16 floats
/// stay in registers over the rows (every index into them a constant once the loops are
/// unrolled: a variable one would keep them in memory). A zero input adds an exact zero,
/// fma(0, g, a) = a (the sums are never -0: they start at +0 and an exact cancellation rounds
/// to +0), so a row whose input is zero in some of the vectors is added to all of them, as the
/// one-vector loop that skips zero rows would sum, and a row zero in all of them is left out.
/// The sums start at +0; acc is only written.
template <int NV, int NK, bool LIST>
PCMSIM_AVX512 void block_avx512(const float* x, int ld_x, const float* g, const int32_t* used,
                                int n, int cols, int c0, int width, float* acc, int ld_acc) {
  const __mmask16 last = __mmask16((1u << (width - 16 * (NK - 1))) - 1u);
  __m512 a[NV][NK];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v)
#pragma GCC unroll 4
    for (int k = 0; k < NK; ++k) a[v][k] = _mm512_setzero_ps();
  for (int i = 0; i < n; ++i) {
    const int r = LIST ? used[i] : i;
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

template <int NV, bool LIST>
PCMSIM_AVX512 void columns_block(const float* x, int ld_x, const float* g, const int32_t* used,
                                 int n, int cols, int c0, int width, float* acc, int ld_acc) {
  switch ((width + 15) / 16) {
    case 1:
      block_avx512<NV, 1, LIST>(x, ld_x, g, used, n, cols, c0, width, acc, ld_acc);
      break;
    case 2:
      block_avx512<NV, 2, LIST>(x, ld_x, g, used, n, cols, c0, width, acc, ld_acc);
      break;
    case 3:
      block_avx512<NV, 3, LIST>(x, ld_x, g, used, n, cols, c0, width, acc, ld_acc);
      break;
    default:
      block_avx512<NV, 4, LIST>(x, ld_x, g, used, n, cols, c0, width, acc, ld_acc);
      break;
  }
}

/// The rows of [0, rows) whose input is nonzero in any of the NV vectors, into @p used (in
/// order); returns how many.
template <int NV>
PCMSIM_AVX512 int used_rows(const float* x, int ld_x, int rows, int32_t* used) {
  const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int n = 0;
  for (int r = 0; r < rows; r += 16) {
    const __mmask16 in = rows - r >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (rows - r)) - 1u);
    __m512i bits = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v)
      bits = _mm512_or_si512(bits, _mm512_maskz_loadu_epi32(in, x + long(v) * ld_x + r));
    const __mmask16 nonzero = _mm512_test_epi32_mask(bits, magnitude);
    _mm512_mask_compressstoreu_epi32(used + n, nonzero,
                                     _mm512_add_epi32(lane, _mm512_set1_epi32(r)));
    n += __builtin_popcount(nonzero);
  }
  return n;
}

template <int NV>
PCMSIM_AVX512 void columns_avx512(const float* x, int ld_x, const float* g, int rows, int cols,
                                  float* acc, int ld_acc) {
  thread_local std::vector<int32_t> used;
  if (used.size() < size_t(rows) + 16) used.resize(size_t(rows) + 16);
  const int n = used_rows<NV>(x, ld_x, rows, used.data());
  const int32_t* list = n < rows ? used.data() : nullptr;  // null: every row, in order
  for (int c0 = 0; c0 < cols; c0 += 64) {
    const int width = std::min(64, cols - c0);
    if (list)
      columns_block<NV, true>(x, ld_x, g, list, n, cols, c0, width, acc, ld_acc);
    else
      columns_block<NV, false>(x, ld_x, g, list, n, cols, c0, width, acc, ld_acc);
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
