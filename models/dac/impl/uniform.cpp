// The uniform DAC: amplitude-, duration- or bit-serial-coded inputs.

#include <cmath>
#include <string>

#include "models/dac/dac.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

/// DAC with uniform levels; amplitude-, duration- or bit-serial-coded.
class UniformDac : public Dac {
 public:
  explicit UniformDac(Params& p) {
    const std::string coding =
        p.get<std::string>("coding")
            .desc(
                "amplitude: voltage levels, fixed settle time; duration: pulse width "
                "proportional to |code| (PWM), the array integrating for the longest pulse; "
                "bit_serial: one magnitude bit per array read (bits - 1 reads per MVM)")
            .choices({"amplitude", "duration", "bit_serial"})
            .def("amplitude");
    m_coding = coding == "duration"     ? InputCoding::Duration
               : coding == "bit_serial" ? InputCoding::BitSerial
                                        : InputCoding::Amplitude;
    // Assumed 1 ns per LSB: a 7-bit input then lasts up to 63 ns, of the order of the 100 ns
    // reads of ISAAC (Shafiee et al., ISCA 2016); set it from the chip's paper.
    const double lsb = p.get<double>("lsb_time")
                           .desc("duration coding: pulse length per input LSB")
                           .unit("ns")
                           .range(1e-6, 1e6)
                           .def(1.0);
    if (m_coding == InputCoding::Duration) m_cost.ns_per_lsb = lsb;
    m_bits = p.get<int>("bits")
                 .desc("DAC resolution (levels 2^bits - 1, symmetric)")
                 .unit("bit")
                 .range(2, 24)
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
    // scaled linearly with bits (assumed). A bit-serial DAC converts one bit per read.
    const int conv_bits = m_coding == InputCoding::BitSerial ? 1 : m_bits;
    double e_bit = p.get<double>("energy_per_bit")
                       .desc("energy per conversion per bit")
                       .unit("pJ")
                       .range(0.0, 1e6)
                       .def(0.39);
    m_cost.energy_pj = e_bit * conv_bits;
    // 0.00017 mm2 for 1024 1-bit DACs (ISAAC, ISCA 2016): 0.166 um2 each; scaled with bits.
    m_cost.area_um2 = p.get<double>("area_per_bit")
                          .desc("area of one DAC per bit")
                          .unit("um2")
                          .range(0.0, 1e9)
                          .def(0.166) *
                      conv_bits;
    m_cost.leakage_mw = p.get<double>("leakage")
                            .desc("static power of one DAC")
                            .unit("mW")
                            .range(0.0, 1e6)
                            .def(0.0);
  }
  float convert(float x) const override { return quantize_symmetric(x, m_bound, m_bits); }
  void convert_n(const float* x, float scale, float* out, size_t n) const override {
    quantize_symmetric_n(x, scale, m_bound, m_bits, out, n);
  }
  int bits() const override { return m_bits; }
  float bound() const override { return m_bound; }
  float step() const override { return quantizer_step(m_bound, m_bits); }

 private:
  int m_bits;
  float m_bound;
};

}  // namespace

PCMSIM_REGISTER(Dac, UniformDac, "uniform",
                "DAC with uniform levels over +-bound: amplitude, duration (PWM) or bit-serial");
}  // namespace pcmsim
