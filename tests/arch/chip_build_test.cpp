// Building the chip: config errors, the registry, determinism whatever the creation order,
// and its extension points (a TLM-2.0 target for the off-chip port, an ADC type registered here).

#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>

#include <cmath>
#include <iostream>
#include <map>
#include <systemc>

#include "tests/arch/scenario.h"

namespace pcmsim {
namespace {

TEST(ChipScenario, GlobalBufferTooSmallForTheLiveValuesIsAnError) {
  std::string yaml = chip_yaml(2, 8, 32, 32, 8);
  yaml.replace(yaml.find("size: 64KiB"), 11, "size: 1KiB");
  // conv1's step: its 400 inputs and 800 outputs at 1 B.
  expect_config_error(yaml,
                      "chip.global_buffer.size = 1024 B cannot hold the values live at step "
                      "'conv1' (1200 B",
                      small_cnn(1));
}

TEST(ChipScenario, TileBufferSmallerThanTheRowsALayerReadsAtOnceIsAnError) {
  // conv1 reads 3 rows of 10 pixels of its 4 channels at once: 120 B at 1 B.
  expect_config_error(tile_buffer_yaml("100B", chip_yaml(2, 8, 32, 32, 8)),
                      "chip.tile.buffer.size = 100 B: smaller than the input rows step 'conv1' "
                      "needs at once on tile 0 (120 B",
                      small_cnn(1));
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

}  // namespace
}  // namespace pcmsim
