#include "sim/functional/datapath.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/base/avx512.h"
#include "sim/base/clones.h"
#include "sim/base/nearest.h"
#include "sim/base/parallel.h"

namespace pcmsim {

namespace {
// Order-free reductions (a NaN never wins a comparison), in lanes that vectorize.
constexpr size_t kLanes = 16;

/// *hi = max(*hi, |x|), *lo = min(*lo, x) over x[0, n).
PCMSIM_CLONES
void max_abs_min(const float* x, size_t n, float* hi, float* lo) {
  float h[kLanes], l[kLanes];
  for (size_t j = 0; j < kLanes; ++j) {
    h[j] = *hi;
    l[j] = *lo;
  }
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; ++j) {
      const float a = std::fabs(x[i + j]);
      h[j] = h[j] < a ? a : h[j];
      l[j] = x[i + j] < l[j] ? x[i + j] : l[j];
    }
  for (; i < n; ++i) {
    const float a = std::fabs(x[i]);
    h[0] = h[0] < a ? a : h[0];
    l[0] = x[i] < l[0] ? x[i] : l[0];
  }
  for (size_t j = 0; j < kLanes; ++j) {
    *hi = *hi < h[j] ? h[j] : *hi;
    *lo = l[j] < *lo ? l[j] : *lo;
  }
}

/// max |x - b| over x[0, n) (0 for none), in double.
PCMSIM_CLONES
double max_abs_minus(const float* x, size_t n, double b) {
  double m[kLanes / 2] = {};
  size_t i = 0;
  for (; i + kLanes / 2 <= n; i += kLanes / 2)
    for (size_t j = 0; j < kLanes / 2; ++j) {
      const double d = std::fabs(double(x[i + j]) - b);
      m[j] = m[j] < d ? d : m[j];
    }
  for (; i < n; ++i) {
    const double d = std::fabs(double(x[i]) - b);
    m[0] = m[0] < d ? d : m[0];
  }
  double r = 0.0;
  for (double v : m) r = r < v ? v : r;
  return r;
}
}  // namespace

ValueRanges calibrate(const Graph& g, const GraphMapping& map, const float* inputs, int64_t n,
                      int64_t sample) {
  ValueRanges r;
  r.max_abs.assign(g.values.size(), 0.0);
  r.min.assign(g.values.size(), 0.0);
  r.psum_max.assign(map.layers.size(), 0.0);
  std::vector<char> seen(g.values.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<std::vector<float>> v = run_reference_values(g, inputs + i * sample);
    // Each value and each layer on its own, on the default threads.
    parallel_for(v.size(), [&](size_t k, int) {
      if (v[k].empty()) return;
      // The running max |x| and min in float (exact: every value is a float), continued from
      // the images before; the first value of all starts the min.
      float hi = float(r.max_abs[k]), lo = seen[k] ? float(r.min[k]) : v[k][0];
      max_abs_min(v[k].data(), v[k].size(), &hi, &lo);
      r.max_abs[k] = hi;
      r.min[k] = lo;
      seen[k] = 1;
    });
    // A layer's partial sums add up to its output before the bias.
    parallel_for(map.layers.size(), [&](size_t li, int) {
      const GraphNode& node = g.nodes[size_t(map.layers[li].node)];
      const std::vector<float>& out = v[size_t(node.output)];
      const size_t channels = node.bias.data.empty() ? 1 : node.bias.data.size();
      const size_t per = out.size() / channels;
      double m = r.psum_max[li];
      for (size_t c = 0; c < channels; ++c) {
        const double b = node.bias.data.empty() ? 0.0 : node.bias.data[c];
        m = std::max(m, max_abs_minus(out.data() + c * per, per, b));
      }
      r.psum_max[li] = m;
    });
  }
  return r;
}

Datapath make_datapath(const Graph& g, const GraphMapping& map, const ValueRanges& r,
                       const std::vector<char>& stored, int activation_bits, int psum_bits) {
  Datapath d;
  d.activation_bits = activation_bits;
  d.psum_bits = psum_bits;
  d.activations.assign(g.values.size(), FixedFormat{});
  for (size_t v = 0; v < g.values.size(); ++v) {
    if (!stored[v] || int(v) == g.input || r.max_abs[v] <= 0) continue;
    FixedFormat& f = d.activations[v];
    if (r.min[v] >= 0) {  // never negative: every level from 0
      f.hi = (int64_t(1) << activation_bits) - 1;
      f.lo = 0;
    } else {
      f.hi = (int64_t(1) << (activation_bits - 1)) - 1;
      f.lo = -f.hi;
    }
    f.lsb = r.max_abs[v] / double(f.hi);
  }
  d.psums.assign(map.layers.size(), FixedFormat{});
  for (size_t li = 0; li < map.layers.size(); ++li) {
    if (r.psum_max[li] <= 0) continue;
    FixedFormat& f = d.psums[li];
    f.hi = (int64_t(1) << (std::min(psum_bits, 62) - 1)) - 1;  // 62 bits: no overflow in the sums
    f.lo = -f.hi;
    f.lsb = 2.0 * r.psum_max[li] / double(f.hi);
  }
  return d;
}

float to_format(float x, const FixedFormat& f, uint64_t& clips) {
  clips += to_format_n(&x, 1, f);
  return x;
}

namespace {
PCMSIM_CLONES
uint64_t to_format_divided(float* x, size_t n, const FixedFormat& f) {
  // The nearest code (ties to even), clipped and counted; branch-free so that it vectorizes.
  const double lsb = f.lsb, hi = double(f.hi), lo = double(f.lo);
  uint64_t clips = 0;
  for (size_t i = 0; i < n; ++i) {
    const double c = std::nearbyint(double(x[i]) / lsb);
    const bool over = c > hi, under = c < lo;
    clips += uint64_t(over || under);
    x[i] = float((over ? hi : under ? lo : c) * lsb);
  }
  return clips;
}

#ifdef PCMSIM_X86
PCMSIM_AVX512_BEGIN
/// to_format_n on the first n - n % 8 values, the quotients by the LSB as products where they
/// round alike.
PCMSIM_AVX512 uint64_t to_format_avx512(float* x, size_t n, const FixedFormat& f) {
  const __m512d lsb = _mm512_set1_pd(f.lsb), inv = _mm512_set1_pd(1.0 / f.lsb),
                hi = _mm512_set1_pd(double(f.hi)), lo = _mm512_set1_pd(double(f.lo));
  uint64_t clips = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    const __m512d c = nearest_quotients(_mm512_cvtps_pd(_mm256_loadu_ps(x + i)), lsb, inv);
    // Selected as the definition selects (a minimum or maximum would turn -0 into +0).
    const __mmask8 over = _mm512_cmp_pd_mask(c, hi, _CMP_GT_OQ),
                   under = _mm512_cmp_pd_mask(c, lo, _CMP_LT_OQ);
    clips += uint64_t(__builtin_popcount(over | under));
    const __m512d k = _mm512_mask_blend_pd(under, _mm512_mask_blend_pd(over, c, hi), lo);
    _mm256_storeu_ps(x + i, _mm512_cvtpd_ps(_mm512_mul_pd(k, lsb)));
  }
  return clips;
}
PCMSIM_AVX512_END
#endif
}  // namespace

uint64_t to_format_n(float* x, size_t n, const FixedFormat& f) {
  uint64_t clips = 0;
  size_t i = 0;
#ifdef PCMSIM_X86
  if (has_avx512()) {
    clips = to_format_avx512(x, n, f);
    i = n - n % 8;
  }
#endif
  return clips + to_format_divided(x + i, n - i, f);
}

namespace {
#ifdef PCMSIM_X86
PCMSIM_AVX512_BEGIN
/// add_psums_n on the first n - n % 8 values, eight at a time, the quotients by the LSB as
/// products where they round alike; returns the saturations.
PCMSIM_AVX512 uint64_t add_psums_avx512(int64_t* acc, const float* v, size_t n,
                                        const FixedFormat& f) {
  const __m512d lsb = _mm512_set1_pd(f.lsb), inv = _mm512_set1_pd(1.0 / f.lsb);
  const __m512i hi = _mm512_set1_epi64(f.hi), lo = _mm512_set1_epi64(f.lo);
  uint64_t saturated = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    const __m512d r = nearest_quotients(_mm512_cvtps_pd(_mm256_loadu_ps(v + i)), lsb, inv);
    const __m512i a = _mm512_add_epi64(_mm512_loadu_si512(acc + i), _mm512_cvttpd_epi64(r));
    const __mmask8 out = _mm512_cmpgt_epi64_mask(a, hi) | _mm512_cmplt_epi64_mask(a, lo);
    saturated += uint64_t(__builtin_popcount(out));
    _mm512_storeu_si512(acc + i, _mm512_min_epi64(_mm512_max_epi64(a, lo), hi));
  }
  return saturated;
}
PCMSIM_AVX512_END
#endif

/// add_psums_n by its definition: a division per value.
PCMSIM_CLONES
uint64_t add_psums_divided(int64_t* acc, const float* v, size_t n, const FixedFormat& f) {
  const double lsb = f.lsb;
  const int64_t hi = f.hi, lo = f.lo;
  uint64_t saturated = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t a = acc[i] + int64_t(std::nearbyint(double(v[i]) / lsb));
    const bool over = a > hi, under = a < lo;
    saturated += uint64_t(over || under);
    acc[i] = over ? hi : under ? lo : a;
  }
  return saturated;
}
}  // namespace

uint64_t add_psums_n(int64_t* acc, const float* v, size_t n, const FixedFormat& f) {
  uint64_t saturated = 0;
  size_t i = 0;
#ifdef PCMSIM_X86
  if (has_avx512()) {
    saturated = add_psums_avx512(acc, v, n, f);
    i = n - n % 8;
  }
#endif
  return saturated + add_psums_divided(acc + i, v + i, n - i, f);
}

}  // namespace pcmsim
