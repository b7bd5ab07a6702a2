// Energy, area and peak power on the chip: what each action costs, counted once and
// attributed to its step, by input coding, broadcast and mesh outputs.

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <systemc>

#include "tests/arch/scenario.h"

namespace pcmsim {
namespace {

TEST(ChipScenario, MeshAndBusChipsComputeTheSameAndChargeEveryFlitHopToItsStep) {
  // 100 -> 70 -> 10 on 32x32 arrays over 3 tiles: inputs, partial sums and outputs cross it.
  Graph n = dense_chain({100, 70, 10}, 8);
  Scenario onbus("onbus", chip_yaml(3, 5, 32, 32, 8), n, 3);
  Scenario uni("uni", mesh_yaml(3, 5, 32, 32, "cols: 2, rows: 2"), n, 3);
  Scenario multi("multi", mesh_yaml(3, 5, 32, 32, "cols: 2, rows: 2, multicast: true"), n, 3);
  sc_core::sc_start();
  EXPECT_EQ(onbus.outputs, uni.outputs);
  EXPECT_EQ(onbus.outputs, multi.outputs);
  for (const Scenario* s : {&uni, &multi}) {
    double pj = 0;
    for (int l = 0; l < 2; ++l) pj += s->energy(l)["interconnect"];
    EXPECT_NEAR(pj, s->stat("interconnect.flit_hops") * s->chip->interconnect().pj_per_action(),
                1e-9 * pj);
  }
  // A multicast of each row of the input (100 B, 4 flits) to the first layer's 3 tiles vs each
  // tile's rows by unicast: fewer packets.
  EXPECT_LT(multi.stat("interconnect.packets"), uni.stat("interconnect.packets"));
}

TEST(ChipScenario, BusCarriesEachTilesInputRowsAndPartialSumsOnce) {
  // 100 -> 70 on 32x32 arrays: 4 row blocks (32, 32, 32, 4 rows) x 3 column blocks (32, 32, 6),
  // row-block major, 5 cores per tile. Tile 0: (r0: c0 c1 c2) (r1: c0 c1); tile 1: (r1: c2)
  // (r2: c0 c1 c2) (r3: c0); tile 2: (r3: c1 c2). Tile 0 is home.
  Scenario s("chip", chip_yaml(3, 5, 32, 32, 8), dense_chain({100, 70}, 8), 2);
  sc_core::sc_start();
  uint64_t inputs = (32 + 32) + (32 + 32 + 4) + 4;  // each tile's distinct row blocks, 1 B each
  uint64_t partials = 2 * (32 + 32 + 6) + 2 * (32 + 6);  // tiles 1 and 2, 2 B per partial sum
  uint64_t outputs = 70;
  EXPECT_EQ(s.stat("interconnect.bytes"), double(2 * (inputs + partials + outputs)));
  EXPECT_DOUBLE_EQ(s.energy(0)["interconnect"], 2.0 * double(inputs + partials + outputs) * 1.6);
}

TEST(ChipScenario, DurationCodedReadEnergyFollowsThePulseLengthNotTheSquaredInput) {
  // A duration-coded row is at V_read for |code| LSBs: its read energy grows with |code|, so
  // code 6 costs twice code 3 (amplitude coding: x^2, four times). Every row's devices: 32
  // columns at g_max (weights at full scale), 25 uS each: basis 64 rows x |code| x 800 uS.
  CodeScenario pwm3("pwm3", code_yaml("coding: duration, lsb_time: 2ns,", "sar"), 3);
  CodeScenario pwm6("pwm6", code_yaml("coding: duration, lsb_time: 2ns,", "sar"), 6);
  CodeScenario amp3("amp3", code_yaml("", "sar"), 3);
  CodeScenario amp6("amp6", code_yaml("", "sar"), 6);
  sc_core::sc_start();
  EXPECT_DOUBLE_EQ(pwm3.stat("tile0.core0.array.read_basis"), 64.0 * 3 * 800);
  EXPECT_DOUBLE_EQ(pwm6.stat("tile0.core0.array.read_basis"), 64.0 * 6 * 800);
  EXPECT_NEAR(pwm6.energy(0)["array"] / pwm3.energy(0)["array"], 2.0, 1e-12);
  EXPECT_NEAR(amp6.energy(0)["array"] / amp3.energy(0)["array"], 4.0, 1e-9);
  // Energy: V^2 x basis x LSB time = 0.2^2 V^2 x 64 x 3 x 800e-6 S x 2e-9 s = 12.288 pJ.
  EXPECT_NEAR(pwm3.energy(0)["array"], 12.288, 1e-9);
}

TEST(ChipScenario, BitSerialReadEnergyCountsEachReadOfASetBit) {
  // A row drives the array in the reads of its code's set bits: code 5 (101) in 2 of the 6,
  // code 3 (011) in 2, code 7 (111) in 3 — whatever the input's square. Basis: 64 rows x set
  // bits x 800 uS.
  CodeScenario c3("c3", code_yaml("coding: bit_serial,", "sar"), 3);
  CodeScenario c5("c5", code_yaml("coding: bit_serial,", "sar"), 5);
  CodeScenario c7("c7", code_yaml("coding: bit_serial,", "sar"), 7);
  sc_core::sc_start();
  EXPECT_DOUBLE_EQ(c3.stat("tile0.core0.array.read_basis"), 64.0 * 2 * 800);
  EXPECT_DOUBLE_EQ(c5.stat("tile0.core0.array.read_basis"), 64.0 * 2 * 800);
  EXPECT_DOUBLE_EQ(c7.stat("tile0.core0.array.read_basis"), 64.0 * 3 * 800);
}

TEST(ChipScenario, EnergyAndAreaBreakdownsSumToTheirTotals) {
  Scenario s("chip", chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm"), dense_chain({100, 70, 10}, 7),
             5, 1, false);
  sc_core::sc_start();
  double ns = s.chip->clock().to_ns(s.chip->total_cycles());
  EnergyBreakdown e = s.ledger.evaluate(ns);
  double by_class = 0, by_component = 0;
  for (const auto& kv : e.by_class_pj) by_class += kv.second;
  for (const auto& kv : e.by_component_pj) by_component += kv.second;
  EXPECT_GT(e.total_pj, 0.0);
  EXPECT_NEAR(by_class, e.total_pj, 1e-9 * e.total_pj);
  EXPECT_NEAR(by_component, e.total_pj, 1e-9 * e.total_pj);
  for (const char* cls : {"array", "dac", "adc", "digital", "interconnect", "buffer", "leakage"}) {
    EXPECT_GT(e.by_class_pj[cls], 0.0) << cls;
  }
  // The steps' shares of each class add up to the components' totals (the link's I/O and the
  // leakage belong to no step).
  for (const char* cls : {"array", "dac", "adc", "digital"}) {
    double steps = 0;
    for (int l = 0; l < 2; ++l) steps += s.energy(l)[cls];
    EXPECT_NEAR(steps, e.by_class_pj[cls], 1e-9 * e.by_class_pj[cls]) << cls;
  }
  double area = 0;
  for (const auto& kv : s.ledger.area_by_class_um2()) area += kv.second;
  EXPECT_NEAR(area, s.ledger.total_area_um2(), 1e-9 * area);
  // 16 cores: ADC area = 16 x 8 ADCs x 1200 um2 (SAR default).
  EXPECT_NEAR(s.ledger.area_by_class_um2()["adc"], 16 * 8 * 1200.0, 1e-6);
}

TEST(ChipScenario, DigitalOperationsCostTheirKindAtTheUnitsPrecision) {
  // Dense 64 -> 32 (bias: 32 adds), then Softmax on 32 values (a compare, two adds, an exp and a
  // divide each), 2 images; energies from chip.tech at the digital unit's precision.
  auto run = [](const char* name, const std::string& digital) {
    GraphBuilder b({64}, 4);
    int v = b.dense(b.graph().input, 32, "fc");
    v = b.unary(GraphOp::Softmax, v, "softmax");
    std::string y = chip_yaml(1, 2, 64, 32, 8);
    const std::string unit = "digital: {impl: simd, lanes: 16, latency: 2";
    y.replace(y.find(unit), unit.size(), unit + digital);
    y += "  tech:\n    int32: {add: 0.5pJ, mul: 2pJ}\n";
    auto s = std::make_unique<Scenario>(name, y, b.finish(v), 2);
    return s;
  };
  auto a = run("int32", "");                       // default precision: int32
  auto f = run("fp16", ", precision: fp16");       // the 45 nm fp16 row
  auto o = run("one", ", energy_per_op: 1.25pJ");  // one energy for every kind
  sc_core::sc_start();
  // int32 as configured: add 0.5, mul 2, so compare 0.5, exp 5 x 2 + 5 x 0.5, div 5 x 2 + 2 x 0.5.
  const double add = 0.5, cmp = 0.5, exp = 12.5, div = 11.0;
  EXPECT_DOUBLE_EQ(a->energy(0)["digital"], 2 * 32 * add);
  EXPECT_DOUBLE_EQ(a->energy(1)["digital"], 2 * 32 * (cmp + 2 * add + exp + div));
  // fp16 at 45 nm (Horowitz 2014): add 0.4, mul 1.1.
  EXPECT_DOUBLE_EQ(f->energy(1)["digital"],
                   2 * 32 * (0.4 + 2 * 0.4 + (5 * 1.1 + 5 * 0.4) + (5 * 1.1 + 2 * 0.4)));
  EXPECT_DOUBLE_EQ(o->energy(1)["digital"], 2 * 32 * 5 * 1.25);
  // The unit's own stats say the same by kind.
  EXPECT_EQ(a->stat("tile0.digital.ops_div"), 2.0 * 32);
  EXPECT_EQ(a->stat("tile0.digital.ops_exp"), 2.0 * 32);
  EXPECT_EQ(a->stat("tile0.digital.ops"), 2.0 * 32 * 6);
}

TEST(ChipScenario, ABroadcastOnTheBusIsChargedOnceForAllItsDestinations) {
  // 100 -> 70 on 32x32 arrays over 3 tiles: with broadcast each input row reaches the three
  // tiles in one transfer of its 100 B, charged once; unicast sends each tile its rows.
  std::string y = chip_yaml(3, 5, 32, 32, 8);
  std::string bc = std::string(y).replace(y.find("impl: bus,"), 10, "impl: bus, broadcast: true,");
  Scenario s("chip", bc, dense_chain({100, 70}, 8), 1);
  sc_core::sc_start();
  const uint64_t partials = 2 * (32 + 32 + 6) + 2 * (32 + 6), outputs = 70;
  EXPECT_EQ(s.stat("interconnect.bytes"), double(100 + partials + outputs));
  EXPECT_EQ(s.stat("interconnect.transfers"), 1.0 + 2 + 1);
  EXPECT_DOUBLE_EQ(s.energy(0)["interconnect"], double(100 + partials + outputs) * 1.6);
}

TEST(ChipScenario, MeshPeakPowerCountsOnlyTheOutputsItsRoutersHave) {
  // A 2 x 2 mesh of 4 tiles with the global buffer on router (0, 0): each router has 2 links to
  // neighbours and its local ports (5 in all): 13 outputs, each a flit of 32 B a cycle through
  // a router and a link (25.6 + 25.6 pJ) at 1 GHz: 13 x 51.2 = 665.6 mW.
  Scenario s("chip", mesh_yaml(4, 1, 64, 32, "cols: 2, rows: 2"), dense_chain({64, 32}, 1), 1);
  sc_core::sc_start();
  EXPECT_NEAR(s.chip->interconnect().peak_mw(1.0), 13 * 51.2, 1e-9);
}

}  // namespace
}  // namespace pcmsim
