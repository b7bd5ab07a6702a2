#include "models/common/converter.h"

#include <cmath>

namespace pcmsim {

float quantizer_step(float bound, int bits) {
  return 2.0f * bound / static_cast<float>((1 << bits) - 2);
}

float quantize_symmetric(float x, float bound, int bits) {
  float q = std::nearbyint(x / quantizer_step(bound, bits)) * quantizer_step(bound, bits);
  return std::fmin(std::fmax(q, -bound), bound);
}

}  // namespace pcmsim
