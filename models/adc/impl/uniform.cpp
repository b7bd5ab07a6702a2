// Uniform ADCs: SAR, flash, ramp and CCO share the numerics and differ in timing.

#include <cmath>
#include <string>

#include "models/adc/adc.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// Uniform ADC; the kinds differ in timing. SAR: `latency` cycles per conversion. Flash: one
/// cycle by default. Ramp and CCO: `latency` plus |code| x `lsb_time` (value-dependent).
class UniformAdc : public Adc {
 public:
  enum class Kind { Sar, Flash, Ramp, Cco };
  UniformAdc(Params& p, Kind kind) {
    m_bits = p.get<int>("bits").desc("ADC resolution").unit("bit").range(2, 16).def(8);
    m_bound = p.get<double>("range")
                  .desc(
                      "output range +-range, in the units chip.tile.core.weight_scaling sets (max: "
                      "the array's "
                      "full scale; none: raw weights)")
                  .range(1e-6, 1e6)
                  .def(12.0);
    // ISAAC's 8-bit SAR runs at 1.28 GS/s (Shafiee et al., ISCA 2016): one conversion per cycle
    // at a 1 GHz clock; a flash ADC converts in one cycle; ramp and CCO ADCs spend one cycle
    // (assumed) to start and latch on top of their value-dependent time.
    m_cost.latency = Cycles(static_cast<uint64_t>(
        p.get<int>("latency")
            .desc(kind == Kind::Ramp || kind == Kind::Cco
                      ? "fixed cycles per conversion (start, latch) besides the count"
                      : "cycles per conversion")
            .unit("cycles")
            .range(kind == Kind::Ramp || kind == Kind::Cco ? 0 : 1, 1000000)
            .def(1)));
    if (kind == Kind::Ramp || kind == Kind::Cco) {
      // CCO: 300 ps per LSB (Khaddam-Aljameh et al., HERMES core, IEEE JSSC 2022). Ramp:
      // assumed 1 ns per LSB (a 1 GHz counter).
      m_cost.ns_per_lsb = p.get<double>("lsb_time")
                              .desc("conversion time per output LSB (counting: after)")
                              .unit("ns")
                              .range(1e-6, 1e6)
                              .def(kind == Kind::Cco ? 0.3 : 1.0);
    }
    if (kind == Kind::Cco) {
      // HERMES' CCOs are driven by the bit-line currents and count while the array integrates
      // (Khaddam-Aljameh et al., JSSC 2022): the count is ready one latch after the longest
      // input pulse, whatever its value.
      m_integrating = std::string(p.get<std::string>("counting")
                                      .desc("after: the count starts once the array has "
                                            "integrated (lsb_time per output LSB); during: the "
                                            "oscillator counts the column current while the "
                                            "array integrates, `latency` cycles after it "
                                            "(one ADC per column)")
                                      .choices({"after", "during"})
                                      .def("after")) == "during";
      if (m_integrating) m_cost.ns_per_lsb = 0;
    }
    // Walden FOM = E / 2^bits. ISAAC's ADC: 2 mW at 1.28 GS/s, 8 bit -> 1.5625 pJ / 256
    // = 6.1 fJ per conversion step (Shafiee et al., ISCA 2016, IMA component table). The same
    // default serves every kind (assumed for flash, ramp, CCO): presets set their chip's figure.
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
                  .desc("std of analog output noise added before conversion, in the units of range")
                  .range(0.0, 1e6)
                  .def(0.0));
  }
  float convert(float y) const override { return quantize_symmetric(y, m_bound, m_bits); }
  int bits() const override { return m_bits; }
  float bound() const override { return m_bound; }
  float step() const override { return quantizer_step(m_bound, m_bits); }
  float out_noise() const override { return m_out_noise; }
  bool integrating() const override { return m_integrating; }

 private:
  bool m_integrating = false;
  int m_bits;
  float m_bound;
  float m_out_noise;
};

class SarAdc : public UniformAdc {
 public:
  explicit SarAdc(Params& p) : UniformAdc(p, Kind::Sar) {}
};
class FlashAdc : public UniformAdc {
 public:
  explicit FlashAdc(Params& p) : UniformAdc(p, Kind::Flash) {}
};
class RampAdc : public UniformAdc {
 public:
  explicit RampAdc(Params& p) : UniformAdc(p, Kind::Ramp) {}
};
class CcoAdc : public UniformAdc {
 public:
  explicit CcoAdc(Params& p) : UniformAdc(p, Kind::Cco) {}
};

}  // namespace

PCMSIM_REGISTER(Adc, SarAdc, "sar", "SAR ADC, fixed conversion latency, Walden-FOM energy");
PCMSIM_REGISTER(Adc, FlashAdc, "flash", "flash ADC, one-cycle conversion, Walden-FOM energy");
PCMSIM_REGISTER(Adc, RampAdc, "ramp",
                "ramp ADC, conversion time grows with the output value (lsb_time per LSB)");
PCMSIM_REGISTER(Adc, CcoAdc, "cco",
                "current-controlled-oscillator ADC (HERMES), time grows with the output value");

}  // namespace pcmsim
