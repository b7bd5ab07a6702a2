#include "models/encoding/encoding.h"

#include <cmath>

namespace pcmsim {

int WeightEncoding::levels() const {
  switch (mode) {
    case Mode::Single:
      return 1;
    case Mode::Significance:
      return int(factors.size());
    case Mode::BitSlices:
      return slices;
  }
  return 1;
}

std::vector<double> WeightEncoding::full_scales(double w_max) const {
  std::vector<double> fs;
  if (mode == Mode::Single) return {w_max};
  if (mode == Mode::Significance) {
    for (double f : factors) fs.push_back(f * w_max);
    return fs;
  }
  const double max_code = std::ldexp(1.0, bits_per_slice * slices) - 1.0;
  const double digit_max = std::ldexp(1.0, bits_per_slice) - 1.0;
  for (int s = 0; s < slices; ++s) {
    fs.push_back(digit_max * std::ldexp(1.0, bits_per_slice * (slices - 1 - s)) * w_max / max_code);
  }
  return fs;
}

std::vector<float> WeightEncoding::slice(const float* w, size_t n, double w_max, int s) const {
  const double max_code = std::ldexp(1.0, bits_per_slice * slices) - 1.0;
  const int shift = bits_per_slice * (slices - 1 - s);
  const long digit_mask = (1L << bits_per_slice) - 1;
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    double mag = w_max > 0 ? std::fabs(w[i]) / w_max : 0.0;
    long code = std::lround(std::fmin(mag, 1.0) * max_code);
    long digit = (code >> shift) & digit_mask;
    double part = double(digit) * std::ldexp(1.0, shift) * w_max / max_code;
    out[i] = float(w[i] < 0 ? -part : part);
  }
  return out;
}

}  // namespace pcmsim
