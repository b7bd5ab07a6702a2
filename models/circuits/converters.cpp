// DAC and ADC implementations.

#include "models/circuits/converters.h"

#include <cmath>

#include "sim/framework/registry.h"

namespace pcmsim {

float quantizer_step(float bound, int bits) {
  return 2.0f * bound / static_cast<float>((1 << bits) - 2);
}

float quantize_symmetric(float x, float bound, int bits) {
  float q = std::nearbyint(x / quantizer_step(bound, bits)) * quantizer_step(bound, bits);
  return std::fmin(std::fmax(q, -bound), bound);
}

namespace {

/// Amplitude-coded DAC: all rows driven at once for a fixed latency.
class UniformDac : public Dac {
 public:
  explicit UniformDac(Params& p) {
    m_bits = p.get<int>("bits")
                 .desc("DAC resolution (levels 2^bits - 1, symmetric)")
                 .unit("bit")
                 .range(2, 16)
                 .def(8);
    m_bound = p.get<double>("bound")
                  .desc("input range +-bound in normalized units")
                  .range(1e-6, 1e6)
                  .def(1.0);
    m_cost.latency =
        Cycles(static_cast<uint64_t>(p.get<int>("latency")
                                         .desc("cycles to settle one input vector on the rows")
                                         .unit("cycles")
                                         .range(0, 1000000)
                                         .def(1)));
    // 1-bit DAC: 4 mW for 8x128 DACs, one conversion each per 100 ns read: 4 mW x 100 ns / 1024
    // = 0.39 pJ per bit per conversion (Shafiee et al., ISAAC, ISCA 2016, IMA component table);
    // scaled linearly with bits (assumed).
    double e_bit = p.get<double>("energy_per_bit")
                       .desc("energy per conversion per bit")
                       .unit("pJ")
                       .range(0.0, 1e6)
                       .def(0.39);
    m_cost.energy_pj = e_bit * m_bits;
    // 0.00017 mm2 for 1024 1-bit DACs (ISAAC, ISCA 2016): 0.166 um2 each; scaled with bits.
    m_cost.area_um2 = p.get<double>("area_per_bit")
                          .desc("area of one DAC per bit")
                          .unit("um2")
                          .range(0.0, 1e9)
                          .def(0.166) *
                      m_bits;
    m_cost.leakage_mw = p.get<double>("leakage")
                            .desc("static power of one DAC")
                            .unit("mW")
                            .range(0.0, 1e6)
                            .def(0.0);
  }
  float convert(float x) const override { return quantize_symmetric(x, m_bound, m_bits); }
  int bits() const override { return m_bits; }
  float bound() const override { return m_bound; }
  float step() const override { return quantizer_step(m_bound, m_bits); }

 private:
  int m_bits;
  float m_bound;
};

/// Successive-approximation ADC: fixed conversion time, energy from the Walden figure of merit.
class SarAdc : public Adc {
 public:
  explicit SarAdc(Params& p) {
    m_bits = p.get<int>("bits").desc("ADC resolution").unit("bit").range(2, 16).def(8);
    m_bound = p.get<double>("range")
                  .desc("output range +-range in normalized units")
                  .range(1e-6, 1e6)
                  .def(12.0);
    // ISAAC's 8-bit SAR runs at 1.28 GS/s (Shafiee et al., ISCA 2016): one conversion per cycle
    // at a 1 GHz clock.
    m_cost.latency = Cycles(static_cast<uint64_t>(p.get<int>("latency")
                                                      .desc("cycles per conversion")
                                                      .unit("cycles")
                                                      .range(1, 1000000)
                                                      .def(1)));
    // Walden FOM = E / 2^bits. ISAAC's ADC: 2 mW at 1.28 GS/s, 8 bit -> 1.5625 pJ / 256
    // = 6.1 fJ per conversion step (Shafiee et al., ISCA 2016, IMA component table).
    double fom = p.get<double>("fom")
                     .desc("Walden figure of merit, energy per conversion step")
                     .unit("fJ")
                     .range(0.0, 1e9)
                     .def(6.1);
    m_cost.energy_pj = fom * 1e-3 * std::ldexp(1.0, m_bits);
    // 0.0096 mm2 for 8 ADCs (ISAAC, ISCA 2016): 1200 um2 each.
    m_cost.area_um2 =
        p.get<double>("area").desc("area of one ADC").unit("um2").range(0.0, 1e9).def(1200.0);
    m_cost.leakage_mw = p.get<double>("leakage")
                            .desc("static power of one ADC")
                            .unit("mW")
                            .range(0.0, 1e6)
                            .def(0.0);
    // aihwkit's inference default is out_noise = 0.06 (IOParameters); 0 here, presets set it.
    m_out_noise =
        float(p.get<double>("out_noise")
                  .desc("std of analog output noise added before conversion, normalized units")
                  .range(0.0, 1e6)
                  .def(0.0));
  }
  float convert(float y) const override { return quantize_symmetric(y, m_bound, m_bits); }
  int bits() const override { return m_bits; }
  float bound() const override { return m_bound; }
  float step() const override { return quantizer_step(m_bound, m_bits); }
  float out_noise() const override { return m_out_noise; }

 private:
  int m_bits;
  float m_bound;
  float m_out_noise;
};

}  // namespace

PCMSIM_REGISTER(Dac, UniformDac, "uniform", "amplitude-coded DAC, uniform levels over +-bound");
PCMSIM_REGISTER(Adc, SarAdc, "sar", "SAR ADC, fixed conversion latency, Walden-FOM energy");

}  // namespace pcmsim
