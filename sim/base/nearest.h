#pragma once
// The nearest integers to quotients x / step (a fixed-point format's codes) with a product by
// the reciprocal in place of the division wherever the two provably round alike: a division
// costs the time of some ten products. AVX-512 only; elsewhere the callers divide.

#include "sim/base/avx512.h"

#ifdef PCMSIM_X86
PCMSIM_AVX512_BEGIN
namespace pcmsim {

/// @brief nearbyint(x / step) lane by lane (ties to even, the sign of a zero kept), bit for bit,
/// from @p inv = 1 / step (rounded). With t = x × inv and d = x / step, each rounded as
/// computed, the reciprocal, the product and the quotient each round once (relative 2^-53), so
/// |t - d| < 3 × 2^-53 |x / step| < 2^-51 |t|: nearbyint(t) = nearbyint(d) wherever t lies
/// further than that from a half-integer. The test allows 2^-48 |t|, which also covers the
/// rounding of the distance (2^-55) for |t| > 2^-6 (below 1/2 no half-integer is near); from
/// |t| = 2^47 on it always divides. Eight values with one too near divide (exact ties, common
/// where the values are codes of a coarser format, do).
PCMSIM_AVX512 inline __m512d nearest_quotients(__m512d x, __m512d step, __m512d inv) {
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m512d t = _mm512_mul_pd(x, inv), r = _mm512_roundscale_pd(t, kNearest);
  const __m512d margin = _mm512_sub_pd(_mm512_set1_pd(0.5), _mm512_abs_pd(_mm512_sub_pd(t, r)));
  const __m512d slack = _mm512_mul_pd(_mm512_abs_pd(t), _mm512_set1_pd(0x1p-48));
  if (_mm512_cmp_pd_mask(margin, slack, _CMP_LE_OQ))
    return _mm512_roundscale_pd(_mm512_div_pd(x, step), kNearest);
  return r;
}

}  // namespace pcmsim
PCMSIM_AVX512_END
#endif
