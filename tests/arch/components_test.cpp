// Timing cores of the shared components, outside the SystemC kernel: the resource calendar, the
// mesh NoC (routes, serialization on shared links and ports, flit width, multicast) and its
// configuration errors. Expectations are derived from the configured latencies and widths.

#include "sim/arch/components.h"

#include <gtest/gtest.h>

#include "sim/base/config.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"

namespace pcmsim {
namespace {

TEST(Resource, BooksTheEarliestGapThatFitsEvenOutOfTimeOrder) {
  Resource r;
  EXPECT_EQ(r.reserve(Cycles(100), Cycles(10)).count(), 100u);  // [100, 110)
  EXPECT_EQ(r.reserve(Cycles(0), Cycles(50)).count(), 0u);      // [0, 50) fits before it
  EXPECT_EQ(r.reserve(Cycles(40), Cycles(60)).count(), 110u);   // [50, 100) is too short
  EXPECT_EQ(r.reserve(Cycles(45), Cycles(50)).count(), 50u);    // exactly [50, 100)
  EXPECT_EQ(r.next_free().count(), 170u);
  EXPECT_EQ(r.busy().count(), 170u);
  EXPECT_EQ(r.waited().count(), (110u - 40u) + (50u - 45u));
}

TEST(Resource, ForgetsOldIntervalsAndTreatsTheirTimeAsBusy) {
  Resource r;
  // [10, 11) and kWindow later intervals: [10, 11) is forgotten, and with it the free time
  // before it.
  r.reserve(Cycles(10), Cycles(1));
  for (size_t i = 0; i < Resource::kWindow; ++i) r.reserve(Cycles(20 + 2 * i), Cycles(1));
  EXPECT_EQ(r.reserve(Cycles(0), Cycles(5)).count(), 11u);  // not 0: [0, 10) is forgotten
  EXPECT_EQ(r.reserve(Cycles(0), Cycles(5)).count(), 21u + 2 * Resource::kWindow - 2);
}

std::unique_ptr<Buffer> sram(const std::string& fields, std::unique_ptr<ConfigNode>& root) {
  root = parse_config_text("buf: {impl: sram, " + fields + "}\n", "buf.yaml");
  Params top(root.get(), "", std::make_shared<ParamContext>());
  Params p = top.child("buf");
  return Registry<Buffer>::create(p);
}

TEST(Sram, AccessesThatFindEveryPortBusyStallAndASecondPortServesThemAtOnce) {
  std::unique_ptr<ConfigNode> r1, r2;
  StatGroup g("chip");
  EnergyLedger ledger;
  auto one = sram("width: 16B, ports: 1, latency: 1", r1);
  auto two = sram("width: 16B, ports: 2, latency: 1", r2);
  one->attach(g, "one", ledger);
  two->attach(g, "two", ledger);
  // Two 64 B reads at cycle 5: 4 cycles each on a port, then 1 cycle of latency.
  EXPECT_EQ(one->access(Cycles(5), 64, false).done.count(), 5u + 4 + 1);
  EXPECT_EQ(one->access(Cycles(5), 64, false).done.count(), 5u + 8 + 1);  // waits 4 cycles
  EXPECT_EQ(two->access(Cycles(5), 64, false).done.count(), 5u + 4 + 1);
  EXPECT_EQ(two->access(Cycles(5), 64, true).done.count(), 5u + 4 + 1);
  EXPECT_EQ(g.find("one.wait_cycles")->value(), 4.0);
  EXPECT_EQ(g.find("two.wait_cycles")->value(), 0.0);
}

// A mesh of `cols` x `rows` routers from YAML, connected to `tiles` tiles.
struct MeshUnderTest {
  std::unique_ptr<ConfigNode> root;
  std::shared_ptr<ParamContext> ctx = std::make_shared<ParamContext>();
  std::unique_ptr<Interconnect> mesh;
  StatGroup stats{"chip"};
  EnergyLedger ledger;

  MeshUnderTest(const std::string& fields, int tiles) {
    root = parse_config_text("noc: {impl: mesh, " + fields + "}\n", "noc.yaml");
    Params top(root.get(), "", ctx);
    Params p = top.child("noc");
    mesh = Registry<Interconnect>::create(p);
    mesh->attach(stats, "noc", ledger);
    mesh->connect(tiles);
  }
  double stat(const std::string& name) const { return stats.find("noc." + name)->value(); }
};

constexpr int kRouter = 2, kLink = 1;
// A packet alone on its route: the head crosses hops + 1 routers and hops links; the flits
// follow one cycle apart.
uint64_t alone(int hops, uint64_t flits) {
  return uint64_t(kRouter * (hops + 1) + kLink * hops) + flits;
}

TEST(Mesh, APacketAloneTakesItsRoutersLinksAndFlits) {
  MeshUnderTest m("cols: 4, rows: 1, flit: 16B, router_latency: 2, link_latency: 1", 4);
  // 100 B in 16 B flits: 7 flits; tile 0 to tile 3 is 3 hops east.
  const Transfer t = m.mesh->transfer(Cycles(10), 100, 0, 3);
  EXPECT_EQ(t.start.count(), 10u);
  EXPECT_EQ(t.done.count(), 10 + alone(3, 7));
  EXPECT_EQ(t.actions, 7u * 4u);  // flits x routers crossed
  EXPECT_EQ(m.stat("flit_hops"), 28.0);
  EXPECT_EQ(m.stat("wait_cycles"), 0.0);
}

TEST(Mesh, TwoFlowsSharingALinkSerializeAndOneAloneDoesNot) {
  // Concentrated mesh: tiles 0 and 1 share router 0, tile 2 is on router 1. Both flows take the
  // one link east and tile 2's ejection port; each flow is 8 flits.
  const std::string cfg =
      "cols: 2, rows: 1, concentration: 2, flit: 8B, router_latency: 2, link_latency: 1";
  MeshUnderTest shared(cfg, 4), single(cfg, 4);
  const Transfer a = shared.mesh->transfer(Cycles(0), 64, 0, 2);
  const Transfer b = shared.mesh->transfer(Cycles(0), 64, 1, 2);
  const Transfer c = single.mesh->transfer(Cycles(0), 64, 1, 2);
  EXPECT_EQ(a.done.count(), alone(1, 8));
  EXPECT_EQ(c.done.count(), alone(1, 8));
  EXPECT_EQ(b.done.count(), alone(1, 8) + 8);        // waits for the 8 flits ahead of it
  EXPECT_EQ(shared.stat("wait_cycles"), 8.0 + 0.0);  // on the link; the port is then free
  EXPECT_EQ(single.stat("wait_cycles"), 0.0);
  EXPECT_EQ(shared.stat("busiest_link_cycles"), 16.0);
}

TEST(Mesh, DoublingTheFlitWidthHalvesTheSerialization) {
  MeshUnderTest narrow("cols: 2, rows: 2, flit: 16B", 4), wide("cols: 2, rows: 2, flit: 32B", 4);
  // 1 KiB between opposite corners (snake order: tile 2 sits at (1, 1)): 2 hops.
  const uint64_t tn = narrow.mesh->transfer(Cycles(0), 1024, 0, 2).done.count();
  const uint64_t tw = wide.mesh->transfer(Cycles(0), 1024, 0, 2).done.count();
  EXPECT_EQ(tn, alone(2, 64));
  EXPECT_EQ(tw, alone(2, 32));
  EXPECT_EQ(tn - tw, 32u);
}

TEST(Mesh, TilesTakeRoutersInSnakeOrderAndRoutesGoXThenY) {
  // 3 x 2 routers: row 0 holds tiles 0 1 2 left to right, row 1 holds 3 4 5 right to left, so
  // tile 3 sits under tile 2: one hop. The global buffer's router is (0, 0).
  MeshUnderTest m("cols: 3, rows: 2", 6);
  EXPECT_EQ(m.mesh->transfer(Cycles(0), 32, 2, 3).done.count(), alone(1, 1));
  EXPECT_EQ(m.mesh->transfer(Cycles(100), 32, 0, 5).done.count(), 100 + alone(1, 1));
  EXPECT_EQ(m.mesh->transfer(Cycles(200), 32, kGlobalBufferPort, 3).done.count(),
            200 + alone(3, 1));
}

TEST(Mesh, MulticastSendsOnceOverSharedLinksAndUnicastRepeats) {
  const std::string cfg = "cols: 4, rows: 1, flit: 32B, router_latency: 2, link_latency: 1";
  MeshUnderTest multi(cfg + ", multicast: true", 4), uni(cfg, 4);
  const std::vector<int> dsts = {1, 2, 3};
  const std::vector<Transfer> m = multi.mesh->fan_out(Cycles(0), 128, 0, dsts);  // 4 flits
  const std::vector<Transfer> u = uni.mesh->fan_out(Cycles(0), 128, 0, dsts);
  ASSERT_EQ(m.size(), 3u);
  ASSERT_EQ(u.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(m[size_t(i)].done.count(), alone(i + 1, 4));
  // Unicasts leave the source one after another, 4 flits apart.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(u[size_t(i)].done.count(), alone(i + 1, 4) + 4u * i);
  EXPECT_EQ(multi.stat("flit_hops"), 4.0 * (1 + 3));
  EXPECT_EQ(uni.stat("flit_hops"), 4.0 * (2 + 3 + 4));
  EXPECT_EQ(multi.stat("packets"), 1.0);
  EXPECT_EQ(uni.stat("packets"), 3.0);
}

TEST(Mesh, FlitHopsAreChargedRouterPlusLinkEnergy) {
  MeshUnderTest m("cols: 2, rows: 1, router_energy: 3pJ, link_energy: 2pJ, router_area: 1000um2",
                  2);
  m.mesh->transfer(Cycles(0), 64, 0, 1);  // 2 flits x 2 routers
  EXPECT_DOUBLE_EQ(m.ledger.evaluate(0).by_class_pj.at("interconnect"), 4 * (3.0 + 2.0));
  EXPECT_DOUBLE_EQ(m.ledger.total_area_um2(), 2 * 1000.0);
}

std::string error_of(const std::string& fields, int tiles) {
  try {
    MeshUnderTest m(fields, tiles);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Mesh, AMeshTooSmallForTheTilesIsAnErrorNamingTheKey) {
  const std::string e = error_of("cols: 2, rows: 2, concentration: 2", 9);
  EXPECT_NE(e.find("noc.yaml:1"), std::string::npos) << e;
  EXPECT_NE(e.find("noc.rows"), std::string::npos) << e;
  EXPECT_NE(e.find("holds 8 tiles; the chip has 9"), std::string::npos) << e;
  EXPECT_EQ(error_of("cols: 2, rows: 2, concentration: 2", 8), "");
  EXPECT_NE(error_of("cols: 2, rows: 1, buffer_y: 1", 2).find("noc.buffer_y"), std::string::npos);
}

TEST(Mesh, ZeroFlitWidthIsAnError) {
  const std::string e = error_of("flit: 0B", 4);
  EXPECT_NE(e.find("noc.flit"), std::string::npos) << e;
}

TEST(Mesh, AutomaticSizeIsTheSmallestSquareThatHoldsTheTiles) {
  MeshUnderTest m("concentration: 2", 18);  // 9 routers: 3 x 3
  EXPECT_EQ(m.stat("routers"), 9.0);
}

}  // namespace
}  // namespace pcmsim
