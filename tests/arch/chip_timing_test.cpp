// Chip timing from the config, by hand: latency and utilization, transfers on the bus and
// the mesh, converters' timing laws, pipelining, copies, tile buffers and backpressure.

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <systemc>

#include "tests/arch/scenario.h"

namespace pcmsim {
namespace {

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

TEST(ChipScenario, CopiesSharingATileKeepToTheirImages) {
  // Two copies of a conv on one tile read one partition of its buffer. The faster copy finishes
  // an image first and must not start on the next image of the same slot before that image's
  // rows arrive: every image comes out, with the values of one copy (ideal arrays), one step at
  // a time and pipelined with two images in flight (slots reused by images 3 and 4).
  GraphBuilder b({1, 6, 6}, 3);
  Graph g = b.finish(b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv"));
  const MappingOptions plan{true, {{"conv", 2}}};
  Scenario one("one", chip_yaml(1, 2, 16, 16, 4), g, 4);
  Scenario two("two", chip_yaml(1, 2, 16, 16, 4), g, 4, 1, true, 0.0, Compensation::None, plan);
  Scenario piped("piped", pipelined(chip_yaml(1, 2, 16, 16, 4), 2), g, 4, 1, true, 0.0,
                 Compensation::None, plan);
  sc_core::sc_start();
  ASSERT_EQ(one.outputs.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(one.outputs[i].size(), 4u * 36u) << "image " << i;
    EXPECT_EQ(two.outputs[i], one.outputs[i]) << "image " << i;
    EXPECT_EQ(piped.outputs[i], one.outputs[i]) << "image " << i;
  }
  EXPECT_EQ(two.step(0).mvms, 4u * 36u);
  EXPECT_EQ(piped.step(0).mvms, 4u * 36u);
}

TEST(ChipScenario, RowsNoWindowReadsAreFreedSoTheNextImageCanFollow) {
  // A 1x1 stride-2 conv on the 8 rows of a 3x3 conv's output reads rows 0, 2, 4, 6: rows 1, 3,
  // 5 and 7 are in no window, and pipelined it passes each of them before the conv before it
  // has produced it (row 2r + 1 is passed once output row r is done). A 3x3 max pool on its 4
  // output rows reads rows 0..2: row 3 is in none. The tile buffers are registers sized to each
  // step's window plus a row, so a row passed before it arrived must go when it arrives, or it
  // holds the room the next rows need: every image must still come out, pipelined (two in
  // flight) as one at a time, with the same values.
  GraphBuilder b({2, 8, 8}, 5);
  int v = b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv");
  v = b.conv(v, 4, 1, 2, 0, 1, "ds");
  v = b.maxpool(v, 3, "pool");
  Graph g = b.finish(b.dense(v, 3, "fc"));
  Scenario seq("seq", chip_yaml(2, 2, 16, 16, 4), g, 4);
  Scenario pipe("pipe", pipelined(chip_yaml(2, 2, 16, 16, 4), 2), g, 4);
  sc_core::sc_start();
  EXPECT_EQ(seq.chip->images_done(), 4);
  EXPECT_EQ(pipe.chip->images_done(), 4);
  EXPECT_EQ(pipe.outputs, seq.outputs);
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

}  // namespace
}  // namespace pcmsim
