#include "models/common/converter.h"

#include <cmath>

#include "models/adc/adc.h"
#include "models/dac/dac.h"
#include "sim/base/clones.h"

namespace pcmsim {

float quantizer_step(float bound, int bits) {
  return 2.0f * bound / static_cast<float>((1 << bits) - 2);
}

float quantize_symmetric(float x, float bound, int bits) {
  return clip_to(round_to_step(x, quantizer_step(bound, bits)), bound);
}

PCMSIM_CLONES
void quantize_symmetric_n(const float* x, float scale, float bound, int bits, float* out,
                          size_t n) {
  const float step = quantizer_step(bound, bits);
  for (size_t i = 0; i < n; ++i) {
    out[i] = clip_to(round_to_step(x[i] * scale, step), bound);  // as quantize_symmetric()
  }
}

void Dac::convert_n(const float* x, float scale, float* out, size_t n) const {
  for (size_t i = 0; i < n; ++i) out[i] = convert(x[i] * scale);
}

uint32_t Dac::code_of(float xq) const {
  const float c = std::nearbyint(std::fabs(xq) / step());
  return c >= float(max_code()) ? max_code() : uint32_t(c);
}

Cycles Dac::drive_cycles(uint32_t max_code, const Clock& clock) const {
  if (m_coding != InputCoding::Duration || max_code == 0) return m_cost.latency;
  return m_cost.latency + clock.cycles_for_ns(m_cost.ns_per_lsb * double(max_code));
}

double Dac::read_weight(float xq) const {
  switch (m_coding) {
    case InputCoding::Duration:
      return double(code_of(xq));
    case InputCoding::BitSerial:
      return double(__builtin_popcount(code_of(xq)));
    case InputCoding::Amplitude:
      break;
  }
  return double(xq) * double(xq);
}

Cycles Adc::conversion_cycles(uint32_t code, const Clock& clock) const {
  if (m_cost.ns_per_lsb <= 0 || code == 0) return m_cost.latency;
  return m_cost.latency + clock.cycles_for_ns(m_cost.ns_per_lsb * double(code));
}

}  // namespace pcmsim
