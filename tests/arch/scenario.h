#pragma once
// The chip scenarios' shared pieces: a small configurable chip (timing figures the tests derive
// their expectations from), a network with its inputs elaborated on it, and the sums of the
// timing's parts.
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

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <systemc>
#include <vector>

#include "sim/arch/chip.h"
#include "sim/base/config.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"
#include "sim/base/rng.h"
#include "sim/functional/graph_network.h"
#include "tests/workloads/graph_builder.h"
#include "tests/workloads/onnx_cases.h"

namespace pcmsim {

// The scenario chip; timing figures the tests derive their expectations from.
constexpr int kBusWidth = 32, kBusLatency = 2, kIoWidth = 8, kIoLatency = 20;
constexpr int kBufWidth = 32, kBufLatency = 1, kLanes = 16, kDigitalLatency = 2;
constexpr int kDacLatency = 1, kTintNs = 100, kAdcLatency = 3;

inline std::string chip_yaml(int tiles, int cores, int rows, int cols, int adcs,
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
inline uint64_t buf(uint64_t bytes) { return ceil_div(bytes, kBufWidth) + kBufLatency; }
inline uint64_t bus(uint64_t bytes, int latency = kBusLatency) {
  return ceil_div(bytes, kBusWidth) + uint64_t(latency);
}
inline uint64_t io(uint64_t bytes) { return ceil_div(bytes, kIoWidth) + kIoLatency; }
inline uint64_t digital(uint64_t ops) { return ceil_div(ops, kLanes) + kDigitalLatency; }
inline uint64_t mvm(int cols, int adcs) {
  return kDacLatency + kTintNs + ceil_div(uint64_t(cols), uint64_t(adcs)) * kAdcLatency;
}
constexpr uint64_t kHandshake = 1;  ///< a message into its NI's shared send queue
/// A message over the bus into a tile's registers: the handshake, then the bus.
inline uint64_t send(uint64_t bytes, int latency = kBusLatency) {
  return kHandshake + bus(bytes, latency);
}
/// A dense layer on one array: its input read and sent, the MVM, the bias, its output sent and
/// written.
inline uint64_t dense_step(uint64_t in, uint64_t out, int cols, int adcs,
                           int latency = kBusLatency) {
  return buf(in) + send(in, latency) + mvm(cols, adcs) + digital(out) + send(out, latency) +
         buf(out);
}

// The scenario chip with a mesh NoC instead of the bus.
inline std::string mesh_yaml(int tiles, int cores, int rows, int cols, const std::string& mesh) {
  std::string y = chip_yaml(tiles, cores, rows, cols, 8);
  const size_t a = y.find("  interconnect:"), b = y.find('\n', a);
  return y.replace(a, b - a, "  interconnect: {impl: mesh, " + mesh + "}");
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

inline std::string code_yaml(const std::string& dac, const std::string& adc) {
  std::string y = chip_yaml(1, 1, 64, 32, 8);
  y.replace(y.find("    core:\n"), 10, "    core:\n      noise_management: none\n");
  y.replace(y.find("dac: {impl: uniform,"), 20, "dac: {impl: uniform, " + dac);
  const size_t at = y.find("adc: {impl: sar,");
  y.replace(at, y.find('}', at) + 1 - at, "adc: {impl: " + adc + ", bits: 9, range: 12}");
  return y;
}

// A small CNN: conv (+ReLU fused) -> depthwise conv -> residual add -> max pool -> strided conv
// -> flatten -> dense.
inline Graph small_cnn(uint64_t seed) {
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

inline std::string pipelined(std::string yaml, int in_flight) {
  return yaml + "  pipeline: {mode: layers, images_in_flight: " + std::to_string(in_flight) + "}\n";
}

// Bad architecture values name the key, its value and the rule.
inline void expect_config_error(const std::string& yaml, const std::string& what,
                                Graph net = dense_chain({64, 32}, 1)) {
  try {
    Scenario s("chip", yaml, std::move(net), 1);
    FAIL() << "no error for " << what;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

// The scenario chip with a tile buffer and a tile bus: input rows land in the buffer, the
// cores' input vectors are read from it and carried on the bus.
inline std::string tile_buffer_yaml(const std::string& size,
                                    std::string y = chip_yaml(1, 2, 64, 32, 8)) {
  y.replace(y.find("    digital:"), 12,
            "    buffer: {impl: sram, size: " + size +
                ", width: 16B, ports: 1, latency: 1}\n"
                "    bus: {impl: bus, width: 8B, latency: 1}\n    digital:");
  return y;
}

}  // namespace pcmsim
