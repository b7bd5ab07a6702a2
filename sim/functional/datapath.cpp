#include "sim/functional/datapath.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/base/clones.h"

namespace pcmsim {

ValueRanges calibrate(const Graph& g, const GraphMapping& map, const float* inputs, int64_t n,
                      int64_t sample) {
  ValueRanges r;
  r.max_abs.assign(g.values.size(), 0.0);
  r.min.assign(g.values.size(), 0.0);
  r.psum_max.assign(map.layers.size(), 0.0);
  std::vector<char> seen(g.values.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<std::vector<float>> v = run_reference_values(g, inputs + i * sample);
    for (size_t k = 0; k < v.size(); ++k) {
      for (float x : v[k]) {
        r.max_abs[k] = std::max(r.max_abs[k], double(std::fabs(x)));
        r.min[k] = seen[k] ? std::min(r.min[k], double(x)) : double(x);
        seen[k] = 1;
      }
    }
    // A layer's partial sums add up to its output before the bias.
    for (size_t li = 0; li < map.layers.size(); ++li) {
      const GraphNode& node = g.nodes[size_t(map.layers[li].node)];
      const std::vector<float>& out = v[size_t(node.output)];
      const int64_t per = node.bias.data.empty() ? 1 : int64_t(out.size() / node.bias.data.size());
      for (size_t k = 0; k < out.size(); ++k) {
        const double b = node.bias.data.empty() ? 0.0 : node.bias.data[k / size_t(per)];
        r.psum_max[li] = std::max(r.psum_max[li], std::fabs(double(out[k]) - b));
      }
    }
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

PCMSIM_CLONES
uint64_t to_format_n(float* x, size_t n, const FixedFormat& f) {
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

PCMSIM_CLONES
uint64_t add_psums_n(int64_t* acc, const float* v, size_t n, const FixedFormat& f) {
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

}  // namespace pcmsim
