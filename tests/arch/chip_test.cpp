// SystemC scenarios: timing expectations derived from the config, contention, energy totals,
// numerics through the chip against the FP32 reference, determinism.

#include "sim/arch/chip.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <systemc>

#include "sim/base/rng.h"
#include "sim/base/config.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"
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
         "}\n  io: {impl: bus, width: " + std::to_string(kIoWidth) +
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
  EnergyLedger ledger, layer_ledger;
  StatGroup layer_stats{"layers"};
  Graph net;
  GraphMapping map;
  std::vector<float> images;
  std::vector<std::vector<float>> outputs;
  std::unique_ptr<Chip> chip;
  std::unique_ptr<GraphAnalogNetwork> analog;

  Scenario(const char* name, const std::string& yaml, Graph n, int n_images, uint64_t seed = 1,
           bool ideal = true, double t_s = 0.0, Compensation comp = Compensation::None,
           const MappingOptions& opt = {})
      : root(parse_config_text(yaml, std::string(name) + ".yaml")), net(std::move(n)) {
    Params top(root.get(), "", ctx);
    chip = std::make_unique<Chip>(name, top.child("chip"), ideal, ledger);
    check_unused(*root, *ctx);
    map = map_graph(net, chip->shape(), opt);
    analog = std::make_unique<GraphAnalogNetwork>(net, map, chip->device(), chip->numerics(),
                                                  chip->encoding(), seed);
    analog->prepare(t_s, comp, seed + 77);
    chip->load(*analog, layer_stats, layer_ledger);
    RngStream r(seed + 1000, DrawKind::Fault, 1, 1);
    for (int64_t i = 0; i < n_images * numel(net.input_shape()); ++i)
      images.push_back(float(r.uniform(uint64_t(i)) * 2 - 1));
    outputs.resize(static_cast<size_t>(n_images));
    chip->set_inputs(images.data(), n_images, numel(net.input_shape()),
                     [this](int64_t i, const std::vector<float>& y) { outputs[size_t(i)] = y; });
  }
  uint64_t layer_cycles(int l) const { return chip->layer_counters()[size_t(l)].cycles->count(); }
  double stat(const std::string& path) const { return chip->stats().find(path)->value(); }
};

uint64_t bus(uint64_t bytes, int latency = kBusLatency) {
  return ceil_div(bytes, kBusWidth) + latency;
}
uint64_t buf(uint64_t bytes) { return ceil_div(bytes, kBufWidth) + kBufLatency; }
uint64_t digital(uint64_t ops) { return ceil_div(ops, kLanes) + kDigitalLatency; }
uint64_t mvm(int cols, int adcs) {
  return kDacLatency + kTintNs + ceil_div(uint64_t(cols), uint64_t(adcs)) * kAdcLatency;
}

TEST(ChipScenario, LayerAndImageLatencyAreTheSumOfTheirStepsFromConfig) {
  Scenario s("chip", chip_yaml(1, 2, 64, 32, 8), dense_chain({64, 32}, 1), 3);
  sc_core::sc_start();
  ASSERT_EQ(s.chip->images_done(), 3);
  // Buffer read of 64 inputs, bus to the tile, MVM, bias on 32 outputs, bus back, buffer write.
  uint64_t layer = buf(64) + bus(64) + mvm(32, 8) + digital(32) + bus(32) + buf(32);
  EXPECT_EQ(layer, 129u);
  EXPECT_EQ(s.layer_cycles(0), 3 * layer);
  // Image: in through I/O into the buffer, the layer, logits out of the buffer and the I/O.
  uint64_t image = (ceil_div(64, kIoWidth) + kIoLatency) + buf(64) + layer + buf(32) +
                   (ceil_div(32, kIoWidth) + kIoLatency);
  EXPECT_EQ(s.chip->first_latency(), Cycles(image));
  EXPECT_EQ(s.chip->total_cycles(), Cycles(3 * image));
  EXPECT_EQ(s.chip->mvm_cycles(32), Cycles(mvm(32, 8)));
  EXPECT_EQ(s.stat("tile0.core0.mvms"), 3.0);
  EXPECT_EQ(s.stat("tile0.core0.adc_conversions"), 3.0 * 32);
  EXPECT_EQ(s.stat("tile0.core0.dac_conversions"), 3.0 * 64);
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
  // Per image: one MVM on one of the two cores, whose ADCs convert 32 columns on 8 ADCs; the
  // bus carries 64 inputs and 32 outputs; the I/O the image and the logits; the buffer port
  // takes the image, gives the layer its input, takes its output and gives the logits; the
  // unit adds the bias.
  expect("arrays", 2, 1, 3 * mvm(32, 8));
  expect("adc banks", 2, 1, 3 * ceil_div(32, 8) * kAdcLatency);
  expect("interconnect links", 1, 1, 3 * (ceil_div(64, kBusWidth) + ceil_div(32, kBusWidth)));
  expect("i/o", 1, 1, 3 * (ceil_div(64, kIoWidth) + ceil_div(32, kIoWidth)));
  expect("global buffer ports", 1, 1, 3 * 2 * (ceil_div(64, kBufWidth) + ceil_div(32, kBufWidth)));
  expect("digital units", 1, 1, 3 * ceil_div(32, kLanes));
  EXPECT_EQ(u.count("tile buffer ports"), 0u);  // none configured
}

// The scenario chip with a mesh NoC instead of the bus.
std::string mesh_yaml(int tiles, int cores, int rows, int cols, const std::string& mesh) {
  std::string y = chip_yaml(tiles, cores, rows, cols, 8);
  const size_t a = y.find("  interconnect:"), b = y.find('\n', a);
  return y.replace(a, b - a, "  interconnect: {impl: mesh, " + mesh + "}");
}

TEST(ChipScenario, OnAMeshEachTransferTakesItsRoutersLinksAndFlits) {
  // The global buffer on router (1, 0), the tile on (0, 0): one hop each way; 32 B flits.
  Scenario s("chip",
             mesh_yaml(1, 1, 64, 32,
                       "cols: 2, rows: 1, buffer_x: 1, flit: 32B, "
                       "router_latency: 2, link_latency: 1"),
             dense_chain({64, 32}, 1), 2);
  sc_core::sc_start();
  auto hop = [](uint64_t bytes) { return 2 * 2 + 1 + ceil_div(bytes, 32); };
  const uint64_t layer = buf(64) + hop(64) + mvm(32, 8) + digital(32) + hop(32) + buf(32);
  EXPECT_EQ(s.layer_cycles(0), 2 * layer);
  // Flit-hops: 2 flits in and 1 out, across 2 routers each, per image.
  EXPECT_EQ(s.stat("interconnect.flit_hops"), 2.0 * (2 * 2 + 1 * 2));
  EXPECT_EQ(s.chip->layer_counters()[0].bus_actions->count(), 2u * (2 * 2 + 1 * 2));
}

TEST(ChipScenario, MeshAndBusChipsComputeTheSameAndChargeEveryFlitHop) {
  // 100 -> 70 -> 10 on 32x32 arrays over 3 tiles: inputs, partial sums and outputs cross it.
  Graph n = dense_chain({100, 70, 10}, 8);
  Scenario onbus("onbus", chip_yaml(3, 5, 32, 32, 8), n, 3);
  Scenario uni("uni", mesh_yaml(3, 5, 32, 32, "cols: 2, rows: 2"), n, 3);
  Scenario multi("multi", mesh_yaml(3, 5, 32, 32, "cols: 2, rows: 2, multicast: true"), n, 3);
  sc_core::sc_start();
  EXPECT_EQ(onbus.outputs, uni.outputs);
  EXPECT_EQ(onbus.outputs, multi.outputs);
  for (const Scenario* s : {&uni, &multi}) {
    uint64_t actions = 0;
    for (const LayerCounters& lc : s->chip->layer_counters()) actions += lc.bus_actions->count();
    EXPECT_EQ(double(actions), s->stat("interconnect.flit_hops"));
  }
  // A multicast of the whole input (100 B, 4 flits) to the first layer's 3 tiles vs each tile's
  // rows by unicast: fewer packets.
  EXPECT_LT(multi.stat("interconnect.packets"), uni.stat("interconnect.packets"));
}

TEST(ChipScenario, HalvingTheAdcsAddsExactlyTheExtraConversionRounds) {
  Graph n = dense_chain({64, 32}, 2);
  Scenario a("chipA", chip_yaml(1, 1, 64, 32, 8), n, 2);
  Scenario b("chipB", chip_yaml(1, 1, 64, 32, 4), n, 2);
  sc_core::sc_start();
  // 32 columns on 8 ADCs: 4 rounds; on 4 ADCs: 8 rounds of kAdcLatency cycles each.
  uint64_t extra = (32 / 4 - 32 / 8) * kAdcLatency;
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

TEST(ChipScenario, TransfersThatShareTheBusSerialize) {
  Graph n = dense_chain({128, 32}, 4);
  // Two arrays of 64 rows. Split over two tiles, both inputs cross the bus at the same cycle.
  Scenario two("two", chip_yaml(2, 1, 64, 32, 8), n, 1);
  Scenario one("one", chip_yaml(1, 2, 64, 32, 8), n, 1);
  sc_core::sc_start();
  // Two tiles: tile1's 64 B wait for tile0's (2 cycles), tile1 then sends 32 partial sums of
  // 2 B to the home tile, which adds them, the bias (32 ops each) and writes the output back.
  uint64_t t_two = buf(128) + ceil_div(64, kBusWidth) + bus(64) + mvm(32, 8) + bus(64) +
                   digital(64) + bus(32) + buf(32);
  // One tile: one 128 B transfer, the two MVMs in parallel; its unit adds the two partial sums
  // and the bias (64 ops).
  uint64_t t_one = buf(128) + bus(128) + mvm(32, 8) + digital(64) + bus(32) + buf(32);
  EXPECT_EQ(two.layer_cycles(0), t_two);
  EXPECT_EQ(one.layer_cycles(0), t_one);
  EXPECT_EQ(two.stat("interconnect.wait_cycles"), double(ceil_div(64, kBusWidth)));
  EXPECT_EQ(one.stat("interconnect.wait_cycles"), 0.0);
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
  EXPECT_EQ(s.chip->layer_counters()[0].bus_bytes->count(), 2 * (inputs + partials + outputs));
  EXPECT_EQ(s.stat("interconnect.bytes"), double(2 * (inputs + partials + outputs)));
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
  EXPECT_EQ(s.chip->layer_counters()[0].mvms->count(), 4u * 12);
  EXPECT_EQ(s.chip->layer_counters()[1].mvms->count(), 4u * 3);
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
  EXPECT_GT(s.chip->layer_counters()[0].bm_repeats->count(), 0u);
}

TEST(ChipScenario, BoundManagementRepeatsCostFullMvmTimes) {
  // 64 equal weights per column and equal inputs: normalized column value 64 on an ADC range
  // of 12: passes at 64, 32, 16 clip, 8 does not. Four passes where one would do.
  Graph n = dense_chain({64, 32}, 10);
  for (float& w : n.nodes[0].weight.data) w = 0.5f;
  std::string yaml = chip_yaml(1, 1, 64, 32, 8);
  Scenario s("chip", yaml, n, 2, 1, false);
  for (float& x : s.images) x = 1.0f;
  sc_core::sc_start();
  uint64_t layer = buf(64) + bus(64) + 4 * mvm(32, 8) + digital(32) + bus(32) + buf(32);
  EXPECT_EQ(s.layer_cycles(0), 2 * layer);
  EXPECT_EQ(s.chip->layer_counters()[0].bm_repeats->count(), 2u * 3);
  EXPECT_EQ(s.stat("tile0.core0.mvms"), 2.0 * 4);
  EXPECT_EQ(s.stat("tile0.core0.adc_conversions"), 2.0 * 4 * 32);
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
  CodeScenario ramp3("ramp3", code_yaml("", "ramp, lsb_time: 1ns"), 3);
  CodeScenario ramp6("ramp6", code_yaml("", "ramp, lsb_time: 1ns"), 6);
  CodeScenario cco3("cco3", code_yaml("", "cco"), 3);
  CodeScenario cco6("cco6", code_yaml("", "cco"), 6);
  sc_core::sc_start();
  ASSERT_EQ(ramp6.chip->layer_counters()[0].bm_repeats->count(), 0u);
  // 4 rounds (32 columns on 8 ADCs), each as long as its largest code.
  EXPECT_EQ(ramp6.layer_cycles(0) - ramp3.layer_cycles(0), 4u * (130 - 65));
  // CCO: 300 ps per LSB (the HERMES figure, the default): 4 x 65 x 0.3 = 78 ns, 4 x 130 x 0.3.
  EXPECT_EQ(cco6.layer_cycles(0) - cco3.layer_cycles(0), 156u - 78u);
  // Fixed part: 1 cycle per conversion round on top of the count.
  EXPECT_EQ(ramp3.layer_cycles(0) - cco3.layer_cycles(0), 4u * 65 - 78);
}

TEST(ChipScenario, DurationCodedInputsLastAsLongAsTheLargestInput) {
  CodeScenario pwm3("pwm3", code_yaml("coding: duration, lsb_time: 2ns,", "sar"), 3);
  CodeScenario pwm10("pwm10", code_yaml("coding: duration, lsb_time: 2ns,", "sar"), 10);
  CodeScenario amp("amp", code_yaml("", "sar"), 10);
  sc_core::sc_start();
  ASSERT_EQ(pwm10.chip->layer_counters()[0].bm_repeats->count(), 0u);
  EXPECT_EQ(pwm10.layer_cycles(0) - pwm3.layer_cycles(0), 2u * (10 - 3));
  // The pulse replaces the fixed integration time (kTintNs).
  EXPECT_EQ(amp.layer_cycles(0) - pwm10.layer_cycles(0), uint64_t(kTintNs) - 2u * 10);
  EXPECT_EQ(pwm10.outputs, amp.outputs);  // the coding changes time, not values
}

TEST(ChipScenario, BitSerialInputsReadTheArrayOncePerMagnitudeBit) {
  CodeScenario amp("amp", code_yaml("", "sar"), 5);
  CodeScenario serial("serial", code_yaml("coding: bit_serial,", "sar"), 5);
  sc_core::sc_start();
  // 7-bit inputs: 6 magnitude bits, 6 array reads and 6 x 32 conversions per MVM.
  // One read: DAC settle, integration, 4 rounds of 1-cycle conversions.
  EXPECT_EQ(serial.layer_cycles(0) - amp.layer_cycles(0), 5u * (kDacLatency + kTintNs + 4 * 1));
  EXPECT_EQ(serial.stat("tile0.core0.adc_conversions"), 6.0 * 32);
  EXPECT_EQ(serial.stat("tile0.core0.dac_conversions"), 6.0 * 64);
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
  EXPECT_EQ(s.chip->compensation_counters().mvms->count(), 2 * rows);
  EnergyBreakdown comp = s.layer_ledger.evaluate(0.0);
  EXPECT_GT(s.layer_ledger.class_energy_of("layers.drift_compensation")["adc"], 0.0);
  EXPECT_GT(comp.total_pj, 0.0);
  // Without compensation nothing is read.
  EXPECT_EQ(s.chip->layer_counters()[0].mvms->count(), 12u);
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
  // Per-layer action counts add up to the per-component ones (I/O aside).
  EnergyBreakdown layers = s.layer_ledger.evaluate(0.0);
  for (const char* cls : {"array", "dac", "adc", "digital"}) {
    EXPECT_NEAR(layers.by_class_pj[cls], e.by_class_pj[cls], 1e-9 * e.by_class_pj[cls]) << cls;
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
    EXPECT_EQ(s.chip->layer_counters()[i].mvms->count(), 3 * pixels[i] * uint64_t(arrays[i]))
        << st[i].name;
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
  // arrays and a layer in two copies: the chip and the functional pass compute the same bits.
  Graph g = small_cnn(32);
  std::string yaml = chip_yaml(2, 8, 32, 32, 8, kBusLatency, "pcm");
  yaml.replace(yaml.find("range: 12,"), 10, "range: 3, out_noise: 0.06,");
  const MappingOptions opt{true, {{"conv3", 2}}};
  Scenario s("chip", yaml, g, 4, 5, false, 3600.0, Compensation::PerColumn, opt);
  sc_core::sc_start();
  GraphAnalogNetwork functional(g, s.map, s.chip->device(), s.chip->numerics(), s.chip->encoding(),
                                5);
  functional.prepare(3600.0, Compensation::PerColumn, 5 + 77);
  std::vector<float> y;
  for (int i = 3; i >= 0; --i) {
    functional.forward(s.images.data() + i * 400, i, y);
    EXPECT_EQ(y, s.outputs[size_t(i)]) << "image " << i;
  }
  uint64_t repeats = 0;
  for (const LayerCounters& lc : s.chip->layer_counters()) repeats += lc.bm_repeats->count();
  EXPECT_GT(repeats, 0u);
}

std::string pipelined(std::string yaml, int in_flight) {
  return yaml + "  pipeline: {mode: layers, images_in_flight: " + std::to_string(in_flight) + "}\n";
}

TEST(ChipScenario, APipelinesSteadyIntervalIsItsSlowestStage) {
  // Three dense layers on 64x256 arrays with 8 ADCs: 64 -> 64 (8 ADC rounds), 64 -> 256 (32
  // rounds, the slowest MVM), 256 -> 16 (four arrays side by side, 2 rounds).
  Graph n = dense_chain({64, 64, 256, 16}, 4);
  const std::string chip = chip_yaml(1, 8, 64, 256, 8);
  constexpr int kImages = 24;
  Scenario seq("seq", chip, n, kImages);
  Scenario pipe("pipe", pipelined(chip, 4), n, kImages);
  sc_core::sc_start();
  EXPECT_EQ(seq.outputs, pipe.outputs);  // timing changes, values do not
  // Once full, the pipeline lets an image out every MVM of the slowest layer: its cores never
  // wait, and every other resource has less work per image. The images' exits jitter by the
  // output path's contention (at most a few bus and buffer slots, 4 cycles here), so the mean
  // over the second half (12 intervals) is within 2 x 4 / 12 cycles.
  EXPECT_NEAR(pipe.chip->steady_interval(), double(mvm(256, 8)), 2.0 * 4 / (kImages / 2));
  for (int l = 0; l < 3; ++l) {
    EXPECT_LE(pipe.chip->layer_counters()[size_t(l)].busy->count(), kImages * mvm(256, 8));
  }
  EXPECT_EQ(pipe.chip->layer_counters()[1].busy->count(), kImages * mvm(256, 8));
  // One at a time, an image leaves every full latency.
  EXPECT_EQ(seq.chip->steady_interval(), double(seq.chip->first_latency().count()));
  EXPECT_GT(seq.chip->first_latency().count(), 3 * mvm(256, 8));
  // In the pipeline the first image shares the bus and buffer with those behind it.
  EXPECT_GE(pipe.chip->first_latency(), seq.chip->first_latency());
  EXPECT_GT(pipe.chip->layer_counters()[1].core_stall->count(), 0u);  // images queue for it
  EXPECT_EQ(seq.chip->layer_counters()[1].core_stall->count(), 0u);
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
  const uint64_t stream = 144 * mvm(4, 4);  // one layer's pixels
  // One after the other, the two streams add up; overlapped, the image takes about one stream
  // plus the rows the second layer waits for.
  EXPECT_GT(seq.chip->first_latency().count(), 2 * stream);
  EXPECT_LT(pipe.chip->first_latency().count(), stream + stream / 4);
  EXPECT_GT(pipe.layer_cycles(0) + pipe.layer_cycles(1), pipe.chip->first_latency().count());
}

TEST(ChipScenario, ConvLayerStreamsItsPixelsAndDigitalStepsTakeTheirOps) {
  // 1x6x6 -> 4 channels, 3x3, pad 1: 36 pixels, one 9x4 array; then a 2x2 max pool.
  GraphBuilder b({1, 6, 6}, 3);
  int v = b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv");
  v = b.maxpool(v, 2, "pool");
  Scenario s("chip", chip_yaml(1, 2, 16, 16, 4), b.finish(v), 1);
  sc_core::sc_start();
  // Conv: input in, 36 MVMs back to back, the bias of the last pixel (4 ops), output back.
  uint64_t conv = buf(36) + bus(36) + 36 * mvm(4, 4) + digital(4) + bus(144) + buf(144);
  EXPECT_EQ(s.layer_cycles(0), conv);
  // Pool: 144 values in, 36 outputs x 3 comparisons (the largest of 4), 36 values back.
  uint64_t pool = buf(144) + bus(144) + digital(36 * 3) + bus(36) + buf(36);
  EXPECT_EQ(s.layer_cycles(1), pool);
  const LayerCounters& lc = s.chip->layer_counters()[1];
  EXPECT_EQ(lc.digital_ops->count(), 108u);
  EXPECT_EQ(lc.digital_kind[size_t(OpKind::Compare)]->count(), 108u);
  // The conv's bias: one add per output element.
  EXPECT_EQ(s.chip->layer_counters()[0].digital_kind[size_t(OpKind::Add)]->count(), 144u);
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
  auto digital_pj = [](const Scenario& s, int step) {
    return s.layer_ledger.class_energy_of(
        s.chip->layer_counters()[size_t(step)].group->full_name())["digital"];
  };
  // int32 as configured: add 0.5, mul 2, so compare 0.5, exp 5 x 2 + 5 x 0.5, div 5 x 2 + 2 x 0.5.
  const double add = 0.5, cmp = 0.5, exp = 12.5, div = 11.0;
  EXPECT_DOUBLE_EQ(digital_pj(*a, 0), 2 * 32 * add);
  EXPECT_DOUBLE_EQ(digital_pj(*a, 1), 2 * 32 * (cmp + 2 * add + exp + div));
  EXPECT_EQ(a->chip->layer_counters()[1].digital_kind[size_t(OpKind::Exp)]->count(), 2u * 32);
  // fp16 at 45 nm (Horowitz 2014): add 0.4, mul 1.1.
  EXPECT_DOUBLE_EQ(digital_pj(*f, 1),
                   2 * 32 * (0.4 + 2 * 0.4 + (5 * 1.1 + 5 * 0.4) + (5 * 1.1 + 2 * 0.4)));
  EXPECT_DOUBLE_EQ(digital_pj(*o, 1), 2 * 32 * 5 * 1.25);
  // The unit's own stats say the same by kind.
  EXPECT_EQ(a->stat("tile0.digital.ops_div"), 2.0 * 32);
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
  EXPECT_EQ(four.chip->mvm_cycles(32), Cycles(4 * mvm(32, 8)));
  EXPECT_EQ(four.layer_cycles(0) - one.layer_cycles(0), 3 * 3 * mvm(32, 8));
  EXPECT_EQ(four.stat("tile0.core0.mvms"), 3.0);
  EXPECT_EQ(four.stat("tile0.core0.adc_conversions"), 3.0 * 4 * 32);
  EXPECT_EQ(four.stat("tile0.core0.dac_conversions"), 3.0 * 4 * 64);
  EXPECT_NEAR(four.stat("tile0.core0.array_x2g"), 4 * one.stat("tile0.core0.array_x2g"),
              1e-9 * four.stat("tile0.core0.array_x2g"));
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
  // Two copies take 18 pixels each, side by side; the tile's unit adds the two last pixels' bias
  // one cycle apart.
  EXPECT_EQ(one.layer_cycles(0) - two.layer_cycles(0), 18 * mvm(4, 4) - 1);
  EXPECT_EQ(two.chip->layer_counters()[0].mvms->count(), 36u);
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
  // 64 inputs: written into the tile buffer (4 cycles at 16 B + 1), read back for the MVM (5),
  // carried on the tile bus (8 cycles at 8 B + 1), then as without them.
  const uint64_t layer =
      buf(64) + bus(64) + 5 + 5 + 9 + mvm(32, 8) + digital(32) + bus(32) + buf(32);
  EXPECT_EQ(s.layer_cycles(0), layer);
  const LayerCounters& lc = s.chip->layer_counters()[0];
  EXPECT_EQ(lc.tile_buffer_write_bytes->count(), 64u);
  EXPECT_EQ(lc.tile_buffer_read_bytes->count(), 64u);
  EXPECT_EQ(lc.tile_bus_bytes->count(), 64u);
  EXPECT_EQ(s.stat("tile0.buffer.write_bytes"), 64.0);
  EXPECT_EQ(s.stat("tile0.bus.bytes"), 64.0);
}

TEST(ChipScenario, TileBufferSmallerThanTheRowsALayerReadsAtOnceIsAnError) {
  // conv1 reads 3 rows of 10 pixels of its 4 channels at once: 120 B at 1 B.
  expect_config_error(tile_buffer_yaml("100B", chip_yaml(2, 8, 32, 32, 8)),
                      "chip.tile.buffer.size = 100 B: smaller than the input rows step 'conv1' "
                      "needs at once on tile 0 (120 B",
                      small_cnn(1));
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
       {"interconnect/bus", "buffer/sram", "digital/simd", "device/pcm", "adc/sar"}) {
    EXPECT_EQ(RegistryIndex::find(name).size(), 1u) << name;
  }
}

}  // namespace
}  // namespace pcmsim
