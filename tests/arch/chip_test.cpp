// SystemC scenarios of the whole chip: timing expectations derived by hand from the config,
// energy totals, numerics through the chip against the FP32 reference, determinism, and the
// chip's extension points (its off-chip port replaced by a TLM-2.0 target, an ADC registered here).
//
// Timing of one image on the scenario chip, one step at a time (every figure from the constants
// below): the image comes in through the off-chip link (ceil(bytes / 8) + 20 cycles) and is
// written into the global buffer (ceil(bytes / 32) + 1: its SRAM port); a step's feeder reads
// each input row out of the buffer (ceil / 32 + 1), hands it to the buffer's network interface
// (a one-cycle handshake: the NI's send queue is shared), and the bus carries it
// (ceil(bytes / 32) busy, 2 more to arrive) into the tile's input registers. A core's MVM read
// is its DAC bank's settle (1) and the array's integration (100), then its ADC bank's rounds
// (ceil(cols / adcs) x 3). The home tile's digital unit adds the partial sums and the bias
// (ceil(ops / 16) + 2), the outputs go back the same way (handshake, bus, buffer write), and the
// result leaves through the buffer (read) and the link.

#include "sim/arch/chip.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>

#include <cmath>
#include <iostream>
#include <map>
#include <systemc>

#include "sim/base/config.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"
#include "sim/base/rng.h"
#include "sim/functional/graph_network.h"
#include "tests/workloads/graph_builder.h"
#include "tests/workloads/onnx_cases.h"

namespace pcmsim {
namespace {

// The scenario chip; timing figures the tests derive their expectations from.
constexpr int kBusWidth = 32, kBusLatency = 2, kIoWidth = 8, kIoLatency = 20;
constexpr int kBufWidth = 32, kBufLatency = 1, kLanes = 16, kDigitalLatency = 2;
constexpr int kDacLatency = 1, kTintNs = 100, kAdcLatency = 3;

std::string chip_yaml(int tiles, int cores, int rows, int cols, int adcs,
                      int bus_latency = kBusLatency, const std::string& device = "ideal") {
  return "chip:\n  clock: 1GHz\n  tiles: " + std::to_string(tiles) +
         "\n  activation_bits: 8\n  psum_bits: 16\n"
         "  interconnect: {impl: bus, width: " +
         std::to_string(kBusWidth) + "B, latency: " + std::to_string(bus_latency) +
         "}\n  io: {impl: link, width: " + std::to_string(kIoWidth) +
         "B, latency: " + std::to_string(kIoLatency) +
         "}\n  global_buffer: {impl: sram, size: 64KiB, width: " + std::to_string(kBufWidth) +
         "B, ports: 1, latency: " + std::to_string(kBufLatency) +
         "}\n  tile:\n    cores: " + std::to_string(cores) +
         "\n    digital: {impl: simd, lanes: " + std::to_string(kLanes) +
         ", latency: " + std::to_string(kDigitalLatency) +
         "}\n    core:\n      adcs: " + std::to_string(adcs) +
         "\n      array: {impl: crossbar, rows: " + std::to_string(rows) +
         ", cols: " + std::to_string(cols) + ", t_int: " + std::to_string(kTintNs) +
         "ns}\n      device: {impl: " + device +
         "}\n      dac: {impl: uniform, bits: 7, latency: " + std::to_string(kDacLatency) +
         "}\n      adc: {impl: sar, bits: 9, range: 12, latency: " + std::to_string(kAdcLatency) +
         "}\n";
}

/// One chip with its network and inputs, elaborated; several may share one simulation.
struct Scenario {
  std::unique_ptr<ConfigNode> root;
  std::shared_ptr<ParamContext> ctx = std::make_shared<ParamContext>();
  EnergyLedger ledger;
  StatGroup layer_stats{"layers"};
  Graph net;
  GraphMapping map;
  std::vector<float> images;
  std::vector<std::vector<float>> outputs;
  std::unique_ptr<Chip> chip;
  std::unique_ptr<GraphAnalogNetwork> analog;

  Scenario(const char* name, const std::string& yaml, Graph n, int n_images, uint64_t seed = 1,
           bool ideal = true, double t_s = 0.0, Compensation comp = Compensation::None,
           const MappingOptions& opt = {}, const ChipOptions& copt = {})
      : root(parse_config_text(yaml, std::string(name) + ".yaml")), net(std::move(n)) {
    Params top(root.get(), "", ctx);
    chip = std::make_unique<Chip>(name, top.child("chip"), ideal, ledger, copt);
    check_unused(*root, *ctx);
    map = map_graph(net, chip->shape(), opt);
    analog = std::make_unique<GraphAnalogNetwork>(net, map, chip->device(), chip->numerics(),
                                                  chip->encoding(), seed);
    analog->prepare(t_s, comp, seed + 77);
    chip->load(*analog, layer_stats);
    RngStream r(seed + 1000, DrawKind::Fault, 1, 1);
    for (int64_t i = 0; i < n_images * numel(net.input_shape()); ++i)
      images.push_back(float(r.uniform(uint64_t(i)) * 2 - 1));
    outputs.resize(static_cast<size_t>(n_images));
    chip->set_inputs(images.data(), n_images, numel(net.input_shape()),
                     [this](int64_t i, const std::vector<float>& y) { outputs[size_t(i)] = y; });
  }
  uint64_t layer_cycles(int l) const { return chip->step_figures(l).cycles; }
  StepFigures step(int l) const { return chip->step_figures(l); }
  double stat(const std::string& path) const {
    const Stat* s = chip->stats().find(path);
    if (!s) throw std::runtime_error("no stat " + path);
    return s->value();
  }
  /// Energy of step @p l by class, in pJ.
  std::map<std::string, double> energy(int l) const { return ledger.class_energy_of_tag(l); }
};

// The parts of the timing the scenarios add up.
uint64_t buf(uint64_t bytes) { return ceil_div(bytes, kBufWidth) + kBufLatency; }
uint64_t bus(uint64_t bytes, int latency = kBusLatency) {
  return ceil_div(bytes, kBusWidth) + uint64_t(latency);
}
uint64_t io(uint64_t bytes) { return ceil_div(bytes, kIoWidth) + kIoLatency; }
uint64_t digital(uint64_t ops) { return ceil_div(ops, kLanes) + kDigitalLatency; }
uint64_t mvm(int cols, int adcs) {
  return kDacLatency + kTintNs + ceil_div(uint64_t(cols), uint64_t(adcs)) * kAdcLatency;
}
constexpr uint64_t kHandshake = 1;  ///< a message into its NI's shared send queue
/// A message over the bus into a tile's registers: the handshake, then the bus.
uint64_t send(uint64_t bytes, int latency = kBusLatency) {
  return kHandshake + bus(bytes, latency);
}
/// A dense layer on one array: its input read and sent, the MVM, the bias, its output sent and
/// written.
uint64_t dense_step(uint64_t in, uint64_t out, int cols, int adcs, int latency = kBusLatency) {
  return buf(in) + send(in, latency) + mvm(cols, adcs) + digital(out) + send(out, latency) +
         buf(out);
}

TEST(ChipScenario, LayerAndImageLatencyAreTheSumOfTheirPartsFromConfig) {
  Scenario s("chip", chip_yaml(1, 2, 64, 32, 8), dense_chain({64, 32}, 1), 3);
  sc_core::sc_start();
  ASSERT_EQ(s.chip->images_done(), 3);
  // 3 + (1 + 2 + 2) + 113 + 4 + (1 + 1 + 2) + 2.
  const uint64_t layer = dense_step(64, 32, 32, 8);
  EXPECT_EQ(layer, 131u);
  EXPECT_EQ(s.layer_cycles(0), 3 * layer);
  // Image: in through the link into the buffer, the layer, logits out of the buffer and the link.
  const uint64_t image = io(64) + buf(64) + layer + buf(32) + io(32);
  EXPECT_EQ(s.chip->first_latency(), Cycles(image));
  EXPECT_EQ(s.chip->total_cycles(), Cycles(3 * image));
  EXPECT_EQ(s.chip->mvm_cycles(32), Cycles(mvm(32, 8)));
  EXPECT_EQ(s.stat("tile0.core0.mvms"), 3.0);
  EXPECT_EQ(s.stat("tile0.core0.adc.conversions"), 3.0 * 32);
  EXPECT_EQ(s.stat("tile0.core0.dac.conversions"), 3.0 * 64);
  EXPECT_EQ(s.step(0).mvms, 3u);
}

TEST(ChipScenario, UtilizationCountsEachResourcesBusyCyclesFromConfig) {
  Scenario s("chip", chip_yaml(1, 2, 64, 32, 8), dense_chain({64, 32}, 1), 3);
  sc_core::sc_start();
  const Cycles run = s.chip->total_cycles();
  std::map<std::string, Chip::Utilization> u;
  for (const Chip::Utilization& x : s.chip->utilization()) u[x.name] = x;
  auto expect = [&](const std::string& name, uint64_t units, uint64_t used, uint64_t busy) {
    SCOPED_TRACE(name);
    ASSERT_EQ(u.count(name), 1u);
    EXPECT_EQ(u[name].units, units);
    EXPECT_EQ(u[name].used, used);
    EXPECT_EQ(u[name].busy, busy);
    EXPECT_DOUBLE_EQ(u[name].of_all(run), double(busy) / double(units * run.count()));
    EXPECT_DOUBLE_EQ(u[name].of_used(run), double(busy) / double(used * run.count()));
  };
  // Per image: one MVM on one of the two cores (its DACs and array 101 cycles, then its ADCs
  // convert 32 columns on 8 ADCs in 4 rounds of 3); the bus carries 64 inputs and 32 outputs;
  // the link the image and the logits; the buffer port takes the image, gives the layer its
  // input, takes its output and gives the logits; the unit adds the bias.
  expect("arrays", 2, 1, 3 * mvm(32, 8));
  expect("adc banks", 2, 1, 3 * ceil_div(32, 8) * kAdcLatency);
  expect("interconnect links", 1, 1, 3 * (ceil_div(64, kBusWidth) + ceil_div(32, kBusWidth)));
  expect("i/o", 1, 1, 3 * (ceil_div(64, kIoWidth) + ceil_div(32, kIoWidth)));
  expect("global buffer ports", 1, 1, 3 * 2 * (ceil_div(64, kBufWidth) + ceil_div(32, kBufWidth)));
  expect("digital units", 1, 1, 3 * ceil_div(32, kLanes));
  EXPECT_EQ(u.count("tile buffer ports"), 0u);  // registers: no port to contend for
}

// The scenario chip with a mesh NoC instead of the bus.
std::string mesh_yaml(int tiles, int cores, int rows, int cols, const std::string& mesh) {
  std::string y = chip_yaml(tiles, cores, rows, cols, 8);
  const size_t a = y.find("  interconnect:"), b = y.find('\n', a);
  return y.replace(a, b - a, "  interconnect: {impl: mesh, " + mesh + "}");
}

TEST(ChipScenario, OnAMeshEachTransferTakesItsRoutersLinksAndFlits) {
  // The global buffer on router (1, 0), the tile on (0, 0): one hop each way; 32 B flits,
  // router 2 cycles, link 1. A packet of f flits after its handshake: 2 x 2 + 1 + f cycles until
  // its tail is out. The 64 inputs (2 flits) land in the tile's registers; the 32 outputs (1
  // flit) are written into the buffer as they arrive (1 + 1 cycles).
  Scenario s("chip",
             mesh_yaml(1, 1, 64, 32,
                       "cols: 2, rows: 1, buffer_x: 1, flit: 32B, "
                       "router_latency: 2, link_latency: 1"),
             dense_chain({64, 32}, 1), 2);
  sc_core::sc_start();
  auto hop = [](uint64_t bytes) { return kHandshake + 2 * 2 + 1 + ceil_div(bytes, 32); };
  const uint64_t layer = buf(64) + hop(64) + mvm(32, 8) + digital(32) + hop(32) + buf(32);
  EXPECT_EQ(s.layer_cycles(0), 2 * layer);
  // Flit-hops: 2 flits in and 1 out, across 2 routers each, per image, all the step's.
  EXPECT_EQ(s.stat("interconnect.flit_hops"), 2.0 * (2 * 2 + 1 * 2));
  EXPECT_DOUBLE_EQ(s.energy(0)["interconnect"],
                   2.0 * (2 * 2 + 1 * 2) * s.chip->interconnect().pj_per_action());
}

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

TEST(ChipScenario, HalvingTheAdcsAddsExactlyTheExtraConversionRounds) {
  Graph n = dense_chain({64, 32}, 2);
  Scenario a("chipA", chip_yaml(1, 1, 64, 32, 8), n, 2);
  Scenario b("chipB", chip_yaml(1, 1, 64, 32, 4), n, 2);
  sc_core::sc_start();
  // 32 columns on 8 ADCs: 4 rounds; on 4 ADCs: 8 rounds of kAdcLatency cycles each.
  const uint64_t extra = (32 / 4 - 32 / 8) * kAdcLatency;
  EXPECT_EQ(b.chip->first_latency().count() - a.chip->first_latency().count(), extra);
  EXPECT_EQ(b.layer_cycles(0) - a.layer_cycles(0), 2 * extra);
  EXPECT_EQ(a.outputs, b.outputs);  // timing changes, values do not
}

TEST(ChipScenario, SlowerInterconnectAddsItsLatencyPerTransfer) {
  Graph n = dense_chain({64, 32}, 3);
  Scenario fast("fast", chip_yaml(1, 1, 64, 32, 8, 2), n, 2);
  Scenario slow("slow", chip_yaml(1, 1, 64, 32, 8, 10), n, 2);
  sc_core::sc_start();
  // Two bus transfers per layer and image: the input to the tile and the output back.
  EXPECT_EQ(slow.chip->first_latency().count() - fast.chip->first_latency().count(), 2u * (10 - 2));
}

TEST(ChipScenario, ALayerSplitOverTwoTilesSendsItsPartialSumsToItsHome) {
  Graph n = dense_chain({128, 32}, 4);
  // Two arrays of 64 rows. On two tiles: the feeder reads and sends tile 0's 64 inputs, then
  // tile 1's (its read waits for nothing: the port is free once the first read is done), so
  // tile 1's MVM ends buf(64) + handshake later; it sends its 32 partial sums of 2 B to tile 0,
  // whose unit adds them, its own and the bias (64 ops) and sends the 32 outputs back.
  Scenario two("two", chip_yaml(2, 1, 64, 32, 8), n, 1);
  // On one tile: one 128 B row, the two MVMs in parallel; its unit adds the two partial sums
  // and the bias (64 ops).
  Scenario one("one", chip_yaml(1, 2, 64, 32, 8), n, 1);
  sc_core::sc_start();
  const uint64_t t_two = buf(64) + kHandshake + buf(64) + send(64) + mvm(32, 8) + send(64) +
                         digital(64) + send(32) + buf(32);
  const uint64_t t_one = buf(128) + send(128) + mvm(32, 8) + digital(64) + send(32) + buf(32);
  EXPECT_EQ(two.layer_cycles(0), t_two);
  EXPECT_EQ(one.layer_cycles(0), t_one);
  EXPECT_EQ(two.stat("tile1.output_bytes"), 64.0);
  EXPECT_EQ(two.stat("tile0.output_bytes"), 32.0);
  EXPECT_EQ(two.outputs, one.outputs);
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

TEST(ChipScenario, IdealNumericsReproduceTheFp32NetworkAcrossSplitArrays) {
  Graph n = dense_chain({100, 70, 10}, 5);
  Scenario s("chip", chip_yaml(2, 8, 32, 32, 8), n, 4);
  sc_core::sc_start();
  ASSERT_EQ(s.map.blocks.size(), 15u);  // 4x3 + 3x1 blocks of 32x32
  for (int i = 0; i < 4; ++i) {
    std::vector<float> ref = run_reference(n, s.images.data() + i * 100);
    ASSERT_EQ(s.outputs[size_t(i)].size(), ref.size());
    for (size_t k = 0; k < ref.size(); ++k)
      EXPECT_NEAR(s.outputs[size_t(i)][k], ref[k], 1e-4 * (1 + std::fabs(ref[k])));
  }
  // MVMs per layer: images x arrays of the layer.
  EXPECT_EQ(s.step(0).mvms, 4u * 12);
  EXPECT_EQ(s.step(1).mvms, 4u * 3);
}

TEST(ChipScenario, HardwareNumericsAreDeterministicPerSeed) {
  Graph n = dense_chain({100, 70, 10}, 6);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  Scenario a("a", yaml, n, 3, 7, false);
  Scenario b("b", yaml, n, 3, 7, false);
  Scenario c("c", yaml, n, 3, 8, false);
  sc_core::sc_start();
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_NE(a.outputs, c.outputs);
  // Quantization and programming noise move the outputs away from FP32, but not far.
  std::vector<float> ref = run_reference(n, a.images.data());
  double err = 0, norm = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    err += std::pow(a.outputs[0][k] - ref[k], 2);
    norm += std::pow(ref[k], 2);
  }
  EXPECT_GT(std::sqrt(err / norm), 1e-4);
  EXPECT_LT(std::sqrt(err / norm), 0.3);
}

TEST(ChipScenario, FullAndFunctionalModesGiveBitIdenticalOutputs) {
  // PCM devices read one day after programming, output noise, bound management, global drift
  // compensation: the cycle-level chip and the functional forward pass use the same numerics.
  Graph n = dense_chain({100, 70, 10}, 9);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  yaml.replace(yaml.find("range: 12,"), 10, "range: 2, out_noise: 0.06,");  // outputs clip: BM runs
  Scenario s("chip", yaml, n, 6, 21, false, 86400.0, Compensation::Global);
  sc_core::sc_start();
  GraphAnalogNetwork functional(n, s.map, s.chip->device(), s.chip->numerics(), s.chip->encoding(),
                                21);
  functional.prepare(86400.0, Compensation::Global, 21 + 77);
  std::vector<float> y;
  for (int i = 5; i >= 0; --i) {  // any order: draws are keyed, not sequential
    functional.forward(s.images.data() + i * 100, i, y);
    EXPECT_EQ(y, s.outputs[size_t(i)]) << "image " << i;
  }
  EXPECT_GT(s.step(0).bm_repeats, 0u);
}

TEST(ChipScenario, BoundManagementRepeatsCostFullMvmTimes) {
  // 64 equal weights per column and equal inputs: normalized column value 64 on an ADC range
  // of 12: passes at 64, 32, 16 clip, 8 does not. Four passes where one would do, each a read of
  // the array and a conversion of every column.
  Graph n = dense_chain({64, 32}, 10);
  for (float& w : n.nodes[0].weight.data) w = 0.5f;
  Scenario s("chip", chip_yaml(1, 1, 64, 32, 8), n, 2, 1, false);
  for (float& x : s.images) x = 1.0f;
  sc_core::sc_start();
  const uint64_t layer = dense_step(64, 32, 32, 8) + 3 * mvm(32, 8);
  EXPECT_EQ(s.layer_cycles(0), 2 * layer);
  EXPECT_EQ(s.step(0).bm_repeats, 2u * 3);
  EXPECT_EQ(s.stat("tile0.core0.mvms"), 2.0 * 4);
  EXPECT_EQ(s.stat("tile0.core0.adc.conversions"), 2.0 * 4 * 32);
  EXPECT_NEAR(s.outputs[0][0], 64.0f * 0.5f + n.nodes[0].bias.data[0], 0.05f * 32.0f);
}

/// One 64 -> 32 layer of equal weights on one 64 x 32 array, inputs all at DAC code @p code,
/// no noise management (the code is the input's), quantizing converters on exact devices.
struct CodeScenario : Scenario {
  CodeScenario(const char* name, const std::string& yaml, int code)
      : Scenario(name, yaml, flat(), 1, 1, false) {
    const float dac_step = 2.0f / 126.0f;  // 7 bits over +-1: 2 / (2^7 - 2)
    for (float& x : images) x = float(code) * dac_step;
  }
  static Graph flat() {
    Graph g = dense_chain({64, 32}, 3);
    for (float& w : g.nodes[0].weight.data) w = 0.5f;
    return g;
  }
};

std::string code_yaml(const std::string& dac, const std::string& adc) {
  std::string y = chip_yaml(1, 1, 64, 32, 8);
  y.replace(y.find("    core:\n"), 10, "    core:\n      noise_management: none\n");
  y.replace(y.find("dac: {impl: uniform,"), 20, "dac: {impl: uniform, " + dac);
  const size_t at = y.find("adc: {impl: sar,");
  y.replace(at, y.find('}', at) + 1 - at, "adc: {impl: " + adc + ", bits: 9, range: 12}");
  return y;
}

TEST(ChipScenario, FlashAdcConvertsInOneCycle) {
  CodeScenario sar("sar", code_yaml("", "sar, latency: 3"), 3);
  CodeScenario flash("flash", code_yaml("", "flash"), 3);
  sc_core::sc_start();
  // 3 cycles per SAR conversion against 1: 4 rounds of 32 columns on 8 ADCs.
  EXPECT_EQ(sar.layer_cycles(0) - flash.layer_cycles(0), 4u * (3 - 1));
  EXPECT_EQ(sar.outputs, flash.outputs);
}

TEST(ChipScenario, RampAndCcoConversionsGrowWithTheOutputValue) {
  // Column value 64 x code x dac_step (weights at full scale) on a 9-bit ADC of range 12:
  // ADC code round(64 * 3 * (2/126) / (24/510)) = 65 for input code 3, 130 for input code 6.
  // Each of the 4 rounds (32 columns on 8 ADCs) lasts 1 cycle (start, latch) plus its largest
  // code's count, rounded up to whole cycles: ramp 1 ns per LSB, CCO 0.3 ns (HERMES' figure).
  CodeScenario ramp3("ramp3", code_yaml("", "ramp, lsb_time: 1ns"), 3);
  CodeScenario ramp6("ramp6", code_yaml("", "ramp, lsb_time: 1ns"), 6);
  CodeScenario cco3("cco3", code_yaml("", "cco"), 3);
  CodeScenario cco6("cco6", code_yaml("", "cco"), 6);
  sc_core::sc_start();
  ASSERT_EQ(ramp6.step(0).bm_repeats, 0u);
  EXPECT_EQ(ramp6.layer_cycles(0) - ramp3.layer_cycles(0), 4u * (130 - 65));
  // CCO: ceil(65 x 0.3) = 20 and ceil(130 x 0.3) = 39 cycles a round.
  EXPECT_EQ(cco6.layer_cycles(0) - cco3.layer_cycles(0), 4u * (39 - 20));
  EXPECT_EQ(ramp3.layer_cycles(0) - cco3.layer_cycles(0), 4u * (65 - 20));
}

TEST(ChipScenario, DurationCodedInputsLastAsLongAsTheLargestInput) {
  CodeScenario pwm3("pwm3", code_yaml("coding: duration, lsb_time: 2ns,", "sar"), 3);
  CodeScenario pwm10("pwm10", code_yaml("coding: duration, lsb_time: 2ns,", "sar"), 10);
  CodeScenario amp("amp", code_yaml("", "sar"), 10);
  sc_core::sc_start();
  ASSERT_EQ(pwm10.step(0).bm_repeats, 0u);
  EXPECT_EQ(pwm10.layer_cycles(0) - pwm3.layer_cycles(0), 2u * (10 - 3));
  // The pulse replaces the fixed integration time (kTintNs).
  EXPECT_EQ(amp.layer_cycles(0) - pwm10.layer_cycles(0), uint64_t(kTintNs) - 2u * 10);
  EXPECT_EQ(pwm10.outputs, amp.outputs);  // the coding changes time, not values
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

TEST(ChipScenario, BitSerialInputsReadTheArrayOncePerMagnitudeBit) {
  CodeScenario amp("amp", code_yaml("", "sar"), 5);
  CodeScenario serial("serial", code_yaml("coding: bit_serial,", "sar"), 5);
  sc_core::sc_start();
  // 7-bit inputs: 6 magnitude bits, 6 array reads and 6 x 32 conversions per MVM.
  // One read: DAC settle, integration, 4 rounds of 1-cycle conversions.
  EXPECT_EQ(serial.layer_cycles(0) - amp.layer_cycles(0), 5u * (kDacLatency + kTintNs + 4 * 1));
  EXPECT_EQ(serial.stat("tile0.core0.adc.conversions"), 6.0 * 32);
  EXPECT_EQ(serial.stat("tile0.core0.dac.conversions"), 6.0 * 64);
  EXPECT_EQ(serial.stat("tile0.core0.array.reads"), 6.0);
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

TEST(ChipScenario, SampleAndHoldOverlapsEachReadWithTheLastOnesConversions) {
  std::string held = code_yaml("coding: bit_serial,", "sar");
  held.replace(held.find("    core:\n"), 10, "    core:\n      sample_hold: {overlap: true}\n");
  CodeScenario serial("serial", code_yaml("coding: bit_serial,", "sar"), 5);
  CodeScenario overlap("overlap", held, 5);
  sc_core::sc_start();
  // 6 reads of DAC settle + integration (101 cycles) then 4 conversion rounds (4 cycles): in
  // sequence 6 x 105; overlapped 101 + 4 + 5 x max(101, 4).
  EXPECT_EQ(serial.layer_cycles(0) - overlap.layer_cycles(0), 6u * 105 - (101 + 4 + 5 * 101));
  EXPECT_EQ(serial.outputs, overlap.outputs);
}

TEST(ChipScenario, DriftCompensationReadoutsRunOnTheChipAndAreCharged) {
  Graph n = dense_chain({100, 70}, 11);
  Scenario s("chip", chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm"), n, 1, 3, false, 3600.0,
             Compensation::Global);
  sc_core::sc_start();
  // Every array reads its one-hot inputs twice (reference, then at t), all arrays in parallel:
  // the longest is a full 32-row array: 2 x 32 MVMs of its 32 columns.
  EXPECT_EQ(s.chip->compensation_cycles(), Cycles(2 * 32 * mvm(32, 8)));
  uint64_t rows = 0;
  for (const GraphBlock& b : s.map.blocks) rows += uint64_t(b.rows);
  EXPECT_EQ(s.chip->compensation_mvms(), 2 * rows);
  EXPECT_GT(s.energy(s.chip->compensation_tag())["adc"], 0.0);
  // The image's own MVMs are counted apart.
  EXPECT_EQ(s.step(0).mvms, 12u);
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

// A small CNN: conv (+ReLU fused) -> depthwise conv -> residual add -> max pool -> strided conv
// -> flatten -> dense.
Graph small_cnn(uint64_t seed) {
  GraphBuilder b({4, 10, 10}, seed);
  int c1 = b.conv(b.graph().input, 8, 3, 1, 1, 1, "conv1");
  c1 = b.unary(GraphOp::Relu, c1, "relu1");
  int dw = b.conv(c1, 8, 3, 1, 1, 8, "dw");
  int v = b.add(c1, dw, "res");
  v = b.maxpool(v, 2, "pool");
  v = b.conv(v, 16, 3, 2, 1, 1, "conv3");
  v = b.unary(GraphOp::Flatten, v, "flat");
  v = b.dense(v, 10, "fc");
  return b.finish(v);
}

TEST(ChipScenario, CnnRunsThroughTheChipWithOneMvmPerOutputPixelAndArray) {
  Graph g = small_cnn(31);
  Scenario s("chip", chip_yaml(2, 8, 32, 32, 8), g, 3);
  sc_core::sc_start();
  ASSERT_EQ(s.chip->images_done(), 3);
  // Steps: conv1+relu1, dw, res, pool, conv3 (+flat), fc.
  const std::vector<Step>& st = s.chip->steps();
  ASSERT_EQ(st.size(), 6u);
  EXPECT_EQ(st[0].nodes, (std::vector<int>{0, 1}));
  EXPECT_EQ(st[2].layer, -1);
  // Arrays: conv1 36 rows -> 2; dw 9x1 groups packed 3 per 32x32 array -> 3; conv3 72 rows -> 3;
  // fc 144 rows -> 5.
  const std::vector<int> arrays = {2, 3, 0, 0, 3, 5};
  const std::vector<uint64_t> pixels = {100, 100, 0, 0, 9, 1};
  for (size_t i = 0; i < st.size(); ++i) {
    const size_t a = st[i].layer >= 0 ? s.map.layers[size_t(st[i].layer)].blocks.size() : 0;
    EXPECT_EQ(a, size_t(arrays[i])) << st[i].name;
    EXPECT_EQ(s.step(int(i)).mvms, 3 * pixels[i] * uint64_t(arrays[i])) << st[i].name;
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<float> ref = run_reference(g, s.images.data() + i * 400);
    ASSERT_EQ(s.outputs[size_t(i)].size(), ref.size());
    for (size_t k = 0; k < ref.size(); ++k)
      EXPECT_NEAR(s.outputs[size_t(i)][k], ref[k], 1e-4 * (1 + std::fabs(ref[k])));
  }
}

TEST(ChipScenario, CnnFullAndFunctionalModesGiveBitIdenticalOutputs) {
  // PCM at one hour, output noise, bound management, per-column compensation, packed depthwise
  // arrays, a layer in two copies and a quantized datapath (8-bit activations, 12-bit partial
  // sums, calibrated on the images themselves): the chip and the functional pass compute the
  // same bits.
  Graph g = small_cnn(32);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  yaml.replace(yaml.find("range: 12,"), 10, "range: 3, out_noise: 0.06,");
  const MappingOptions opt{true, {{"conv3", 2}}};
  Scenario s("chip", yaml, g, 4, 5, false, 3600.0, Compensation::PerColumn, opt);
  std::vector<char> stored(g.values.size());
  for (size_t v = 0; v < stored.size(); ++v) stored[v] = s.chip->schedule().stored(int(v));
  const Datapath dp =
      make_datapath(g, s.map, calibrate(g, s.map, s.images.data(), 4, 400), stored, 8, 12);
  s.analog->set_datapath(dp);
  sc_core::sc_start();
  GraphAnalogNetwork functional(g, s.map, s.chip->device(), s.chip->numerics(), s.chip->encoding(),
                                5);
  functional.set_datapath(dp);
  functional.prepare(3600.0, Compensation::PerColumn, 5 + 77);
  std::vector<float> y;
  for (int i = 3; i >= 0; --i) {
    functional.forward(s.images.data() + i * 400, i, y);
    EXPECT_EQ(y, s.outputs[size_t(i)]) << "image " << i;
  }
  uint64_t repeats = 0;
  for (int l = 0; l < int(s.chip->steps().size()); ++l) repeats += s.step(l).bm_repeats;
  EXPECT_GT(repeats, 0u);
  EXPECT_EQ(functional.activation_clips(), s.analog->activation_clips());
}

std::string pipelined(std::string yaml, int in_flight) {
  return yaml + "  pipeline: {mode: layers, images_in_flight: " + std::to_string(in_flight) + "}\n";
}

TEST(ChipScenario, APipelinesSteadyIntervalIsItsSlowestStage) {
  // Three dense layers on 64x256 arrays with 8 ADCs: 64 -> 64 (8 ADC rounds), 64 -> 256 (32
  // rounds, the slowest MVM: 1 + 100 + 32 x 3 = 197 cycles), 256 -> 16 (four arrays side by
  // side, 2 rounds).
  Graph n = dense_chain({64, 64, 256, 16}, 4);
  const std::string chip = chip_yaml(1, 8, 64, 256, 8);
  constexpr int kImages = 24;
  Scenario seq("seq", chip, n, kImages);
  Scenario pipe("pipe", pipelined(chip, 4), n, kImages);
  sc_core::sc_start();
  EXPECT_EQ(seq.outputs, pipe.outputs);  // timing changes, values do not
  // Once full, the pipeline lets an image out every MVM of the slowest layer: its core works
  // back to back (the next input waits in its input register) and every other resource has
  // less work per image. The exits jitter by what the output path shares: the off-chip link
  // (an image in takes it 8 cycles) and a bus and buffer slot or two (4 cycles); the mean over
  // the second half's 12 intervals is within 2 x 12 / 12 cycles.
  EXPECT_NEAR(pipe.chip->steady_interval(), double(mvm(256, 8)), 2.0 * 12 / 12);
  EXPECT_EQ(pipe.step(1).busy, kImages * mvm(256, 8));
  EXPECT_EQ(pipe.chip->bottleneck_step(), 1);
  // One at a time, an image leaves every full latency.
  EXPECT_EQ(seq.chip->steady_interval(), double(seq.chip->first_latency().count()));
  EXPECT_GT(seq.chip->first_latency().count(), 3 * mvm(256, 8));
  EXPECT_LT(pipe.chip->total_cycles().count() * 2, seq.chip->total_cycles().count());
}

TEST(ChipScenario, PipelinedConvolutionsStartOnTheRowsThatHaveArrived) {
  // conv 3x3 pad 1 -> conv 3x3 pad 1 on 12x12: the second layer's output row r needs rows up to
  // r + 1 of the first's, so it runs while the first is still streaming.
  GraphBuilder b({2, 12, 12}, 6);
  int v = b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv1");
  v = b.conv(v, 4, 3, 1, 1, 1, "conv2");
  Graph g = b.finish(v);
  const std::string chip = chip_yaml(2, 1, 64, 16, 4);
  Scenario seq("seq", chip, g, 1);
  Scenario pipe("pipe", pipelined(chip, 1), g, 1);
  sc_core::sc_start();
  EXPECT_EQ(seq.outputs, pipe.outputs);
  const uint64_t stream = 144 * mvm(4, 4);  // one layer's pixels back to back
  // One after the other, the two streams add up; overlapped, the image takes about one stream
  // plus the rows the second layer waits for (2 of 12 rows of the first's pixels).
  EXPECT_GT(seq.chip->first_latency().count(), 2 * stream);
  EXPECT_LT(pipe.chip->first_latency().count(), stream + stream / 4);
  EXPECT_GT(pipe.layer_cycles(0) + pipe.layer_cycles(1), pipe.chip->first_latency().count());
}

TEST(ChipScenario, ConvLayerStreamsItsPixelsOnceItsFirstRowsHaveArrived) {
  // 1x6x6 -> 4 channels, 3x3, pad 1: 36 pixels on one 9x4 array (4 ADCs: MVM 1 + 100 + 3).
  // The feeder reads each 6 B input row (2 cycles), hands it over (1): a row leaves every 3
  // cycles and lands 3 later (bus 1 + 2). Output row 0 needs input rows 0 and 1: the first
  // pixel starts 3 + 3 + 3 cycles after the first read; then the 36 MVMs back to back, the
  // last pixel's bias (4 ops), its 4 outputs sent and written.
  GraphBuilder b({1, 6, 6}, 3);
  int v = b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv");
  v = b.maxpool(v, 2, "pool");
  Scenario s("chip", chip_yaml(1, 2, 16, 16, 4), b.finish(v), 1);
  sc_core::sc_start();
  const uint64_t conv = 3 * 3 + 36 * mvm(4, 4) + digital(4) + send(4) + buf(4);
  EXPECT_EQ(s.layer_cycles(0), conv);
  // Pool: 36 outputs x 3 comparisons (the largest of 4), charged to the pool step.
  EXPECT_EQ(s.stat("tile0.digital.ops_compare"), 108.0);
  // The conv's bias: one add per output element.
  EXPECT_EQ(s.stat("tile0.digital.ops_add"), 144.0);
  EXPECT_DOUBLE_EQ(s.energy(1)["digital"],
                   108 * s.chip->tile(0).digital().energies()[size_t(OpKind::Compare)]);
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

TEST(ChipScenario, AFourPhaseMvmReadsAndConvertsFourTimes) {
  std::string y = chip_yaml(1, 2, 64, 32, 8);
  y.replace(y.find("      adcs: "), 12, "      mvm_phases: 4\n      adcs: ");
  Scenario one("one", chip_yaml(1, 2, 64, 32, 8), dense_chain({64, 32}, 1), 3, 1, false);
  Scenario four("four", y, dense_chain({64, 32}, 1), 3, 1, false);
  sc_core::sc_start();
  // The layer as in the first scenario with four reads per MVM (no bound-management repeats:
  // the one-phase run has none, and a phase clips only where the one read would nearly).
  ASSERT_EQ(one.stat("tile0.core0.bm_repeats"), 0.0);
  ASSERT_EQ(four.stat("tile0.core0.bm_repeats"), 0.0);
  EXPECT_EQ(four.layer_cycles(0) - one.layer_cycles(0), 3 * 3 * mvm(32, 8));
  EXPECT_EQ(four.stat("tile0.core0.mvms"), 3.0);
  EXPECT_EQ(four.stat("tile0.core0.array.reads"), 3.0 * 4);
  EXPECT_EQ(four.stat("tile0.core0.adc.conversions"), 3.0 * 4 * 32);
  EXPECT_EQ(four.stat("tile0.core0.dac.conversions"), 3.0 * 4 * 64);
  EXPECT_NEAR(four.stat("tile0.core0.array.read_basis"),
              4 * one.stat("tile0.core0.array.read_basis"),
              1e-9 * four.stat("tile0.core0.array.read_basis"));
  // Peak: the same power, a quarter of the MVMs.
  EXPECT_NEAR(four.chip->peak_power().peak_tops, one.chip->peak_power().peak_tops / 4, 1e-12);
  EXPECT_NEAR(four.chip->peak_power().chip_mw, one.chip->peak_power().chip_mw, 1e-9);
  // This chip's ADC has no output noise: every phase converts the same codes, so the outputs
  // are the one-phase MVM's exactly (the noise averaging is tested in circuits_test).
  for (size_t i = 0; i < one.outputs.size(); ++i) EXPECT_EQ(one.outputs[i], four.outputs[i]);
}

TEST(ChipScenario, CopiesOfALayerShareItsPixels) {
  GraphBuilder b({1, 6, 6}, 3);
  Graph g = b.finish(b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv"));
  Scenario one("one", chip_yaml(1, 2, 16, 16, 4), g, 1);
  Scenario two("two", chip_yaml(1, 2, 16, 16, 4), g, 1, 1, true, 0.0, Compensation::None,
               {true, {{"conv", 2}}});
  sc_core::sc_start();
  // Two copies take 18 pixels each, side by side from the same first rows. Their last pixels
  // finish together; the tile's unit takes the copies' biases one cycle apart, so the second
  // copy's outputs are written one cycle after the first's: one MVM stream of 18 pixels less,
  // one cycle more.
  EXPECT_EQ(one.layer_cycles(0) - two.layer_cycles(0), 18 * mvm(4, 4) - 1);
  EXPECT_EQ(two.step(0).mvms, 36u);
  EXPECT_EQ(two.stat("tile0.core0.mvms"), 18.0);
  EXPECT_EQ(two.stat("tile0.core1.mvms"), 18.0);
  EXPECT_EQ(one.outputs, two.outputs);  // ideal arrays: the copies compute the same
}

// Bad architecture values name the key, its value and the rule.
void expect_config_error(const std::string& yaml, const std::string& what,
                         Graph net = dense_chain({64, 32}, 1)) {
  try {
    Scenario s("chip", yaml, std::move(net), 1);
    FAIL() << "no error for " << what;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(ChipScenario, GlobalBufferTooSmallForTheLiveValuesIsAnError) {
  std::string yaml = chip_yaml(2, 8, 32, 32, 8);
  yaml.replace(yaml.find("size: 64KiB"), 11, "size: 1KiB");
  // conv1's step: its 400 inputs and 800 outputs at 1 B.
  expect_config_error(yaml,
                      "chip.global_buffer.size = 1024 B cannot hold the values live at step "
                      "'conv1' (1200 B",
                      small_cnn(1));
}

// The scenario chip with a tile buffer and a tile bus: input rows land in the buffer, the
// cores' input vectors are read from it and carried on the bus.
std::string tile_buffer_yaml(const std::string& size, std::string y = chip_yaml(1, 2, 64, 32, 8)) {
  y.replace(y.find("    digital:"), 12,
            "    buffer: {impl: sram, size: " + size +
                ", width: 16B, ports: 1, latency: 1}\n"
                "    bus: {impl: bus, width: 8B, latency: 1}\n    digital:");
  return y;
}

TEST(ChipScenario, TileBufferAndBusAddTheirAccessesToTheLayer) {
  Scenario s("chip", tile_buffer_yaml("1KiB"), dense_chain({64, 32}, 1), 1);
  sc_core::sc_start();
  // 64 inputs: written into the tile buffer as they arrive (4 cycles at 16 B + 1), read back
  // for the MVM (5), carried on the tile bus (8 cycles at 8 B + 1), then as without them.
  const uint64_t layer = dense_step(64, 32, 32, 8) + 5 + 5 + 9;
  EXPECT_EQ(s.layer_cycles(0), layer);
  EXPECT_EQ(s.stat("tile0.buffer.write_bytes"), 64.0);
  EXPECT_EQ(s.stat("tile0.buffer.read_bytes"), 64.0);
  EXPECT_EQ(s.stat("tile0.bus.bytes"), 64.0);
}

TEST(ChipScenario, TileBufferSmallerThanTheRowsALayerReadsAtOnceIsAnError) {
  // conv1 reads 3 rows of 10 pixels of its 4 channels at once: 120 B at 1 B.
  expect_config_error(tile_buffer_yaml("100B", chip_yaml(2, 8, 32, 32, 8)),
                      "chip.tile.buffer.size = 100 B: smaller than the input rows step 'conv1' "
                      "needs at once on tile 0 (120 B",
                      small_cnn(1));
}

TEST(ChipScenario, AFullTileBufferStallsTheFeederAndRowsWaitForRoom) {
  // conv 3x3 pad 1 on 2x12x12 with a 72 B register buffer: 3 input rows of 24 B, exactly the
  // window. The feeder can send row r + 3 only once row r is freed, after the last pixel that
  // needs it: it waits for room, and the conv's pixels wait for rows that a larger buffer would
  // have had ready. Unlimited: no such wait.
  GraphBuilder b({2, 12, 12}, 6);
  Graph g = b.finish(b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv"));
  std::string small = chip_yaml(1, 1, 64, 16, 16);
  small.replace(small.find("    digital:"), 12,
                "    buffer: {impl: registers, size: 72B}\n    digital:");
  std::string big = chip_yaml(1, 1, 64, 16, 16);
  big.replace(big.find("    digital:"), 12,
              "    buffer: {impl: registers, size: unlimited}\n    digital:");
  Scenario tight("tight", small, g, 1);
  Scenario open("open", big, g, 1);
  sc_core::sc_start();
  EXPECT_EQ(tight.outputs, open.outputs);
  EXPECT_GT(tight.layer_stats.find("conv.tile_buffer_full_cycles")->value(), 0.0);
  EXPECT_EQ(open.layer_stats.find("conv.tile_buffer_full_cycles")->value(), 0.0);
  EXPECT_GE(tight.layer_cycles(0), open.layer_cycles(0));
}

TEST(ChipScenario, ConverterBitsBeyondTheirRangeAndZeroBandwidthsAreErrors) {
  std::string y = chip_yaml(1, 2, 64, 32, 8);
  expect_config_error(std::string(y).replace(y.find("bits: 9"), 7, "bits: 20"),
                      "chip.tile.core.adc.bits = 20: not in [2, 16] bit");
  expect_config_error(std::string(y).replace(y.find("bits: 9"), 7, "bits: 1"),
                      "chip.tile.core.adc.bits = 1: not in [2, 16] bit");
  expect_config_error(std::string(y).replace(y.find("bits: 7"), 7, "bits: 30"),
                      "chip.tile.core.dac.bits = 30: not in [2, 24] bit");
  expect_config_error(std::string(y).replace(y.find("width: 32B"), 10, "width: 0B"),
                      "chip.interconnect.width = 0B: not in [1, 1048576] B");
  expect_config_error(std::string(y).replace(y.find("width: 8B"), 9, "width: 0B"),
                      "chip.io.width = 0B: not in [1, 1048576] B");
}

TEST(ChipScenario, OnnxConformanceCasesThroughTheCycleLevelChip) {
  // Every supported ONNX backend case on its own chip of 16 x 16 arrays, ideal numerics, all
  // chips in one simulation: the chip's outputs equal the expected outputs.
  std::vector<testing::OnnxCase> cases = testing::load_onnx_cases();
  std::vector<std::unique_ptr<Scenario>> chips;
  std::vector<const testing::OnnxCase*> ran;
  for (const auto& c : cases) {
    if (!c.skipped.empty()) continue;
    const int arrays = int(map_graph(c.graph, {1 << 14, 1, 16, 16, 1}).blocks.size());
    const int tiles = std::max(1, (arrays + 15) / 16);
    std::string yaml = chip_yaml(tiles, 16, 16, 16, 16);
    yaml.replace(yaml.find("size: 64KiB"), 11, "size: 64MiB");
    const int64_t batch = c.input.shape[0];
    chips.push_back(std::make_unique<Scenario>(("case" + std::to_string(ran.size())).c_str(), yaml,
                                               c.graph, int(batch)));
    std::copy(c.input.data.begin(), c.input.data.end(), chips.back()->images.begin());
    ran.push_back(&c);
  }
  sc_core::sc_start();
  int analog = 0;
  for (size_t i = 0; i < chips.size(); ++i) {
    std::vector<float> got;
    for (const auto& y : chips[i]->outputs) got.insert(got.end(), y.begin(), y.end());
    EXPECT_EQ(testing::compare_outputs(got, ran[i]->expected.data), "") << ran[i]->name;
    analog += !chips[i]->map.layers.empty();
  }
  std::cout << "ONNX conformance through the cycle-level chip: " << ran.size() << " cases, "
            << analog << " with Conv or Gemm on arrays\n";
  EXPECT_GE(ran.size(), 30u);
  EXPECT_GE(analog, 25);
}

TEST(ChipScenario, ExpectedImplementationsAreRegistered) {
  for (const char* name :
       {"interconnect/bus", "interconnect/mesh", "buffer/sram", "buffer/registers", "digital/simd",
        "io/link", "io/external", "device/pcm", "adc/sar", "adc/cco", "dac/uniform"}) {
    EXPECT_EQ(RegistryIndex::find(name).size(), 1u) << name;
  }
}

// -------------------------------------------------------------- determinism and extension points

TEST(ChipScenario, StatsAreByteIdenticalWhenTheTilesAreCreatedInReverseOrder) {
  // A pipelined CNN over 4 tiles of a mesh, several images in flight: contention on links,
  // buffer ports and units everywhere. Creating the tiles last to first changes the order in
  // which the kernel runs their processes; no result may change.
  Graph g = small_cnn(41);
  std::string y = pipelined(mesh_yaml(4, 4, 32, 32, "cols: 2, rows: 2, buffer_depth: 2"), 3);
  Scenario fwd("fwd", y, g, 5, 1, true);
  Scenario rev("rev", y, g, 5, 1, true, 0.0, Compensation::None, {}, {true});
  sc_core::sc_start();
  EXPECT_EQ(fwd.chip->stats().to_json().dump(), rev.chip->stats().to_json().dump());
  EXPECT_EQ(fwd.layer_stats.to_json().dump(), rev.layer_stats.to_json().dump());
  EXPECT_EQ(fwd.chip->done_times(), rev.chip->done_times());
  EXPECT_EQ(fwd.outputs, rev.outputs);
  EXPECT_GT(
      fwd.stat("interconnect.contention_cycles") + fwd.stat("interconnect.buffer_full_cycles"),
      0.0);
}

/// An off-chip memory written here: every transfer takes a fixed 50 ns, whatever its size.
struct FixedLatencyMemory : sc_core::sc_module {
  tlm_utils::simple_target_socket<FixedLatencyMemory> socket;
  int transfers = 0;
  explicit FixedLatencyMemory(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &FixedLatencyMemory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    delay += sc_core::sc_time(50, sc_core::SC_NS);
    ++transfers;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

TEST(ChipScenario, TheOffChipPortIsATlmTargetAUserModelReplaces) {
  // The same chip with its link (ceil(64 / 8) + 20 cycles in, ceil(32 / 8) + 20 out) and with
  // a memory of 50 cycles each way bound to its io socket: the image latency changes by
  // exactly the difference.
  std::string y = chip_yaml(1, 2, 64, 32, 8);
  const size_t a = y.find("  io: {"), b = y.find('\n', a);
  std::string ext = std::string(y).replace(a, b - a, "  io: {impl: external}");
  Scenario link("link", y, dense_chain({64, 32}, 1), 2);
  Scenario mem("mem", ext, dense_chain({64, 32}, 1), 2);
  FixedLatencyMemory memory("memory");
  mem.chip->io_socket().bind(memory.socket);
  sc_core::sc_start();
  EXPECT_EQ(memory.transfers, 4);  // two images in, two results out
  EXPECT_EQ(mem.chip->first_latency().count() + io(64) + io(32),
            link.chip->first_latency().count() + 50 + 50);
  EXPECT_EQ(mem.outputs, link.outputs);
}

/// An ADC type written here: a conversion takes 5 cycles plus one per 32 LSBs of its code.
class SlowAdc : public Adc {
 public:
  explicit SlowAdc(Params& p) {
    m_bits = p.get<int>("bits").desc("resolution").unit("bit").range(2, 16).def(9);
    m_bound = float(p.get<double>("range").desc("output range").range(1e-6, 1e6).def(12.0));
    m_cost.latency = Cycles(5);
    m_cost.energy_pj = 1.0;
  }
  float convert(float y) const override { return quantize_symmetric(y, m_bound, m_bits); }
  int bits() const override { return m_bits; }
  float bound() const override { return m_bound; }
  float step() const override { return quantizer_step(m_bound, m_bits); }
  float out_noise() const override { return 0.0f; }
  Cycles conversion_cycles(uint32_t code, const Clock&) const override {
    return Cycles(5 + code / 32);
  }
  bool value_dependent() const override { return true; }

 private:
  int m_bits;
  float m_bound;
};
PCMSIM_REGISTER(Adc, SlowAdc, "test_slow", "scenario test: 5 cycles + 1 per 32 LSBs");

TEST(ChipScenario, AnAdcTypeRegisteredInThisFileRunsInAChip) {
  // Input code 3 gives ADC code 65 on every column (see the ramp test): each of the 4 rounds
  // takes 5 + 65 / 32 = 7 cycles against SAR's 1: 4 x 6 more per MVM.
  CodeScenario sar("sar", code_yaml("", "sar"), 3);
  CodeScenario slow("slow", code_yaml("", "test_slow"), 3);
  sc_core::sc_start();
  EXPECT_EQ(slow.layer_cycles(0) - sar.layer_cycles(0), 4u * (7 - 1));
  EXPECT_EQ(slow.outputs, sar.outputs);  // the same quantizer
  EXPECT_DOUBLE_EQ(slow.energy(0)["adc"], 32.0 * 1.0);
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
