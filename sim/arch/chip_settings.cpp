#include "sim/arch/chip_settings.h"

#include "sim/base/energy.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

void read_peak_scope(Params& p, PeakScope& ps) {
  ps.set = p.has("peak_scope");
  Params sp = p.child("peak_scope");
  const std::vector<std::string>& classes = energy_classes();
  for (const Params::Item& it :
       sp.get_list("power", "energy classes the chip's published peak power counts", "", classes))
    ps.power.push_back(sp.item_choice("power", it, classes));
  for (const Params::Item& it :
       sp.get_list("area", "energy classes the chip's published area counts", "", classes))
    ps.area.push_back(sp.item_choice("area", it, classes));
  ps.source = sp.get<std::string>("source")
                  .desc("where the chip's published efficiency and its scope are stated")
                  .def("");
}

void read_encoding(Params& cp, WeightEncoding& e) {
  Params ep = cp.child("encoding");
  const std::string mode =
      ep.get<std::string>("mode")
          .desc(
              "single: one device pair per weight; significance: one pair per level with "
              "closed-loop residual programming; bit_slices: integer digits, a level each")
          .choices({"single", "significance", "bit_slices"})
          .def("single");
  const bool all = ep.describing();  // a describe pass lists every mode's parameters
  if (mode == "significance" || all) {
    if (!all) e.mode = WeightEncoding::Mode::Significance;
    double sum = 0;
    for (const Params::Item& it :
         ep.get_list("factors",
                     "significance: full scale of each level relative to max|W|, "
                     "most significant first",
                     "", {"1", "0.25"})) {
      e.factors.push_back(ep.item_quantity("factors", it, "", 1e-6, 1.0));
      sum += e.factors.back();
    }
    if (!all && sum < 1.0)
      ep.fail("factors", "the levels' full scales add up to less than max|W| (sum < 1)");
  }
  if (mode == "bit_slices" || all) {
    if (!all) e.mode = WeightEncoding::Mode::BitSlices;
    e.slices = ep.get<int>("slices")
                   .desc("bit_slices: slices per weight, each on its own array")
                   .unit("slices")
                   .range(1, 16)
                   .def(4);
    e.bits_per_slice = ep.get<int>("bits_per_slice")
                           .desc("bit_slices: bits each slice holds")
                           .unit("bit")
                           .range(1, 8)
                           .def(2);
    if (!all && e.slices * e.bits_per_slice > 24) {
      ep.fail("bits_per_slice", "slices x bits_per_slice exceeds 24 bits");
    }
  }
}

/// Reads `<name>: {energy, area, leakage}` of a peripheral, all 0 by default (no such part).
PeripheralCost read_peripheral(Params& parent, const std::string& name, const std::string& what,
                               const std::string& action, const std::string& per) {
  Params p = parent.child(name);
  PeripheralCost c;
  c.energy_pj = p.get<double>("energy")
                    .desc(what + ": energy per " + action)
                    .unit("pJ")
                    .range(0.0, 1e6)
                    .def(0.0);
  c.area_um2 =
      p.get<double>("area").desc(what + ": area per " + per).unit("um2").range(0.0, 1e12).def(0.0);
  c.leakage_mw = p.get<double>("leakage")
                     .desc(what + ": static power per " + per)
                     .unit("mW")
                     .range(0.0, 1e6)
                     .def(0.0);
  return c;
}

void read_periphery(Params& cp, CorePeriphery& r) {
  r.sample_hold = read_peripheral(cp, "sample_hold", "sample-and-hold", "column sample", "column");
  r.overlap = cp.child("sample_hold")
                  .get<bool>("overlap")
                  .desc(
                      "the array integrates the next read while the ADCs convert the held "
                      "samples of the last (a read then takes the longer of the two)")
                  .def(false);
  r.shift_add = read_peripheral(cp, "shift_add", "shift-and-add units",
                                "addition (one per conversion)", "unit");
  r.shift_add_units = cp.child("shift_add")
                          .get<int>("units")
                          .desc("shift-and-add units per core")
                          .unit("units")
                          .range(0, 65536)
                          .def(1);
  r.input_register =
      read_peripheral(cp, "input_register", "input register", "byte read into the DACs", "core");
  r.input_vectors = cp.child("input_register")
                        .get<int>("vectors")
                        .desc(
                            "input vectors it holds: the one the DACs drive and those waiting "
                            "(2: the next one loads while the array reads)")
                        .unit("vectors")
                        .range(1, 1024)
                        .def(2);
  r.output_register = read_peripheral(cp, "output_register", "output register",
                                      "byte written (psum_bits per conversion)", "core");
  r.output_vectors = cp.child("output_register")
                         .get<int>("vectors")
                         .desc(
                             "MVM results it holds until they are taken for accumulation or "
                             "sent; the ADCs wait while it is full")
                         .unit("vectors")
                         .range(1, 1024)
                         .def(2);
}

}  // namespace

ChipSettings read_chip_settings(Params& p) {
  // A list of parameter declarations, one statement each: longer than most functions, kept whole
  // so that the chip's own parameters read in the order `pcmsim describe chip` lists them.
  ChipSettings cs;
  cs.name = p.get<std::string>("name").desc("name of the chip preset").def("unnamed");
  cs.clock_ghz =
      p.get<double>("clock").desc("chip clock frequency").unit("GHz").range(1e-6, 100.0).def(1.0);
  cs.tiles = p.get<int>("tiles").desc("number of tiles").unit("tiles").range(1, 16384).def(4);
  cs.activation_bits = p.get<int>("activation_bits")
                           .desc(
                               "bits per activation moved between units, and the precision "
                               "activations are rounded to (2 at least: a sign and a magnitude)")
                           .unit("bit")
                           .range(2, 32)
                           .def(8);
  cs.psum_bits = p.get<int>("psum_bits")
                     .desc(
                         "bits per partial sum sent between tiles, and the precision partial sums "
                         "are carried at (2 at least: a sign and a magnitude)")
                     .unit("bit")
                     .range(2, 64)
                     .def(16);
  cs.fixed_datapath =
      std::string(p.get<std::string>("datapath")
                      .desc("fixed: activations leaving a tile rounded to activation_bits and "
                            "partial sums carried at psum_bits, with calibrated scales; float: "
                            "both carried in float (aihwkit's tiles), the bits sizing traffic only")
                      .choices({"fixed", "float"})
                      .def("fixed")) == "fixed";
  Params pp = p.child("pipeline");
  cs.pipelined =
      std::string(pp.get<std::string>("mode")
                      .desc("none: one step of one image at a time; layers: a step starts on "
                            "the rows of its input that have arrived, and images stream")
                      .choices({"none", "layers"})
                      .def("none")) == "layers";
  cs.images_in_flight = pp.get<int>("images_in_flight")
                            .desc("layers: images admitted before the first one leaves")
                            .unit("images")
                            .range(1, 1024)
                            .def(4);
  if (!cs.pipelined) cs.images_in_flight = 1;
  Params tp = p.child("tile");
  cs.cores_per_tile = tp.get<int>("cores")
                          .desc("analog cores (arrays) per tile")
                          .unit("cores")
                          .range(1, 4096)
                          .def(8);
  Params cp = tp.child("core");
  cs.adcs = cp.get<int>("adcs")
                .desc(
                    "ADCs per array, the columns sharing them through a multiplexer; 0 = one "
                    "per column")
                .unit("ADCs")
                .range(0, 65536)
                .def(0);
  cs.noise_management =
      std::string(
          cp.get<std::string>("noise_management")
              .desc("abs_max: scale each input vector by its absolute maximum before the DACs")
              .choices({"abs_max", "none"})
              .def("abs_max")) == "abs_max";
  const bool iterative =
      std::string(cp.get<std::string>("bound_management")
                      .desc("iterative: while outputs clip, halve the input and repeat the MVM")
                      .choices({"iterative", "none"})
                      .def("iterative")) == "iterative";
  // aihwkit stops at red > max_bm_res / inp_res = 0.25 * 63: at most 5 passes (IOParameters).
  const int passes =
      cp.get<int>("bm_max_passes")
          .desc("most passes of iterative bound management (input halved each repeat)")
          .unit("passes")
          .range(1, 32)
          .def(5);
  cs.bm_max_passes = iterative ? passes : 1;
  cs.mvm_phases =
      cp.get<int>("mvm_phases")
          .desc(
              "reads per MVM, each converted with its own output noise and the results "
              "averaged (HERMES' high-precision mode: 4); time and array, DAC and ADC work "
              "grow with it")
          .unit("reads")
          .range(1, 64)
          .def(1);
  cs.normalized_outputs =
      std::string(cp.get<std::string>("weight_scaling")
                      .desc("units of the output noise and ADC range: max = weights / max|W| "
                            "of the array (full scale); none = raw weights (aihwkit default)")
                      .choices({"max", "none"})
                      .def("max")) == "max";
  read_encoding(cp, cs.encoding);
  read_periphery(cp, cs.periphery);
  cs.tile_output_register = read_peripheral(tp, "output_register", "tile output register",
                                            "activation byte leaving the tile", "tile");
  cs.accumulator_window = tp.get<int>("accumulator_window")
                              .desc(
                                  "output pixels of one layer copy its home tile accumulates at "
                                  "once; partial sums of later pixels wait")
                              .unit("pixels")
                              .range(1, 1 << 20)
                              .def(4);
  cs.tech = TechTable(p.child("tech"));
  read_peak_scope(p, cs.peak_scope);
  return cs;
}

namespace {
// `pcmsim describe chip` and the docs list these like an implementation's parameters.
const bool kDescribed =
    (RegistryIndex::add({"chip", "chip",
                         "the chip's organisation and its analog cores' peripheral settings",
                         [](Params& p) { read_chip_settings(p); }}),
     true);
}  // namespace

}  // namespace pcmsim
