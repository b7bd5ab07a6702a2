// Interconnect and arbitration scenarios in the SystemC kernel, with endpoints written here:
// time order of arbitration, flit-level wormhole timing, backpressure through finite buffers,
// deadlock freedom under all-to-all traffic, and the effect of router buffer depth. Every
// expectation is derived by hand from the configured latencies in the test's comment. A message
// sent at cycle t is in its NI's send queue at t + 1 (the queue is shared by the endpoint's
// senders: a request decided in cycle t, granted from the next), so its first flit enters the
// router at t + 1.

#include <gtest/gtest.h>

#include <memory>
#include <systemc>
#include <vector>

#include "sim/arch/common/arbiter.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/base/config.h"

namespace pcmsim {
namespace {

/// An endpoint that takes `per_chunk` cycles to store each chunk (flit) that reaches it and
/// records when each message was complete.
struct Sink : Endpoint {
  TimeBase& tb;
  Cycles per_chunk;
  std::vector<std::pair<uint64_t, Cycles>> got;  ///< (message id, cycle)
  uint64_t chunks = 0;
  Sink(TimeBase& t, Cycles c) : tb(t), per_chunk(c) {}
  Cycles store(const Message&, uint64_t, sc_core::sc_event&) override {
    ++chunks;
    if (per_chunk.count()) tb.wait_until(tb.now() + per_chunk);
    return tb.now();
  }
  void received(const Message& m) override { got.push_back({m.id, tb.now()}); }
};

/// A process that sends its messages, each at its cycle (or as soon after as its NI takes it).
struct Source : sc_core::sc_module {
  SC_HAS_PROCESS(Source);
  Source(sc_core::sc_module_name n, TimeBase& t, Interconnect& i) : sc_module(n), tb(t), noc(i) {
    SC_THREAD(run);
  }
  void run() {
    for (auto& [at, m] : plan) {
      tb.wait_until(at);
      noc.send(m, uint64_t(m.src + 1), wake, nullptr);
    }
  }
  TimeBase& tb;
  Interconnect& noc;
  std::vector<std::pair<Cycles, Message>> plan;
  sc_core::sc_event wake;
};

Message msg(int src, int dst, uint64_t bytes, uint64_t id) {
  Message m;
  m.src = src;
  m.dsts.assign(1, dst);
  m.bytes = bytes;
  m.id = id;
  return m;
}

/// A mesh of @p tiles tiles (one per router unless the YAML says otherwise) with sinks that
/// take @p per_chunk cycles per flit.
struct MeshBench {
  TimeBase tb{Clock(1.0)};
  std::unique_ptr<ConfigNode> root;
  std::shared_ptr<ParamContext> ctx = std::make_shared<ParamContext>();
  StatGroup stats;
  EnergyLedger ledger;
  std::unique_ptr<Interconnect> noc;
  std::vector<std::unique_ptr<Sink>> sinks;
  std::string name;
  MeshBench(const std::string& mesh, int tiles, Cycles per_chunk = Cycles(0),
            const std::string& n = "noc")
      : stats(n), name(n) {
    root = parse_config_text("noc: {impl: mesh, " + mesh + "}\n", "noc.yaml");
    Params top(root.get(), "", ctx);
    Params p = top.child("noc");
    noc = create_module<Interconnect>(p, n);
    noc->attach(tb, tiles, stats, ledger);
    check_unused(*root, *ctx);
    for (int e = -1; e < tiles; ++e) {
      sinks.push_back(std::make_unique<Sink>(tb, per_chunk));
      noc->set_endpoint(e, sinks.back().get());
    }
  }
  Sink& sink(int tile) { return *sinks[size_t(tile + 1)]; }
  /// @brief A stat below the mesh ("ni0.flits_injected").
  double stat(const std::string& path) const { return stats.find(name + "." + path)->value(); }
};

TEST(Arbiter, RequestsAreServedInTheOrderTheyArriveNotTheOrderTheirProcessesWereCreated) {
  // One server, 8 cycles per request, oldest first. The process created first posts at cycle
  // 10, the one created second at cycle 5: the second is served 5..13, the first waits from 10
  // to 13 and is served 13..21 (done at 21). Both posted while the server was free or busy, never
  // booked ahead.
  TimeBase tb{Clock(1.0)};
  Arbiter arb("arb", tb, 1, Policy::OldestFirst);
  struct Poster : sc_core::sc_module {
    SC_HAS_PROCESS(Poster);
    Poster(sc_core::sc_module_name n, TimeBase& t, Arbiter& a, Cycles at, uint64_t id)
        : sc_module(n), tb(t), arb(a), at(at), id(id) {
      SC_THREAD(run);
    }
    void run() {
      tb.wait_until(at);
      t = arb.serve(id, Cycles(8), Cycles(0), -1, wake);
    }
    TimeBase& tb;
    Arbiter& arb;
    Cycles at;
    uint64_t id;
    Ticket t;
    sc_core::sc_event wake;
  };
  Poster late("late", tb, arb, Cycles(10), 1), early("early", tb, arb, Cycles(5), 2);
  sc_core::sc_start();
  EXPECT_EQ(early.t.start, Cycles(5));
  EXPECT_EQ(early.t.done, Cycles(13));
  EXPECT_EQ(late.t.start, Cycles(13));
  EXPECT_EQ(late.t.done, Cycles(21));
  EXPECT_EQ(arb.core().waited(), 3u);
}

TEST(ArbiterCore, RoundRobinServesEachRequesterInTurnAndOldestFirstByAge) {
  // Requesters 3, 1, 2 post at cycles 2, 1, 0 for one server of 1 cycle each. Oldest first:
  // 2 (posted 0), 1, 3. Round robin, starting from the lowest id: 1, 2, 3; after 3 it wraps to 1.
  for (Policy pol : {Policy::OldestFirst, Policy::RoundRobin}) {
    ArbiterCore core(1, pol);
    Ticket a, b, c;
    a.requester = 3;
    b.requester = 1;
    c.requester = 2;
    for (Ticket* t : {&a, &b, &c}) t->busy = Cycles(1);
    core.post(&c, Cycles(0));
    core.post(&b, Cycles(1));
    core.post(&a, Cycles(2));
    std::vector<Ticket*> order;
    for (uint64_t now = 2; now < 5; ++now) core.decide(Cycles(now), order);
    ASSERT_EQ(order.size(), 3u);
    const std::vector<uint64_t> want = pol == Policy::OldestFirst ? std::vector<uint64_t>{2, 1, 3}
                                                                  : std::vector<uint64_t>{1, 2, 3};
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(order[i]->requester, want[i]);
    EXPECT_EQ(order[2]->start, Cycles(4));
  }
}

TEST(Mesh, APacketAloneTakesItsRoutersLinksAndFlits) {
  // 1 x 3 routers, tile 0 to tile 2 (2 hops), 3 flits of 32 B, router 2 cycles, link 1 cycle,
  // sent at 0: flit k enters router 0 at 1 + k, crosses it at 3 + k, router 1 at 6 + k, router 2
  // at 9 + k and is through the ejection port at 10 + k: the tail (k = 2) at 12 =
  // 1 + 2 x (2 + 1) + 1 x 2 + 3.
  MeshBench b("cols: 3, rows: 1, flit: 32B, router_latency: 2, link_latency: 1", 3);
  Source src("src", b.tb, *b.noc);
  src.plan.push_back({Cycles(0), msg(0, 2, 96, 7)});
  sc_core::sc_start();
  ASSERT_EQ(b.sink(2).got.size(), 1u);
  EXPECT_EQ(b.sink(2).got[0].second, Cycles(12));
  EXPECT_EQ(b.stat("flit_hops"), 3.0 * 3);  // 3 routers crossed by each flit
  EXPECT_EQ(b.stat("buffer_full_cycles"), 0.0);
}

TEST(Mesh, AContendedLinkServesItsRequestsInTimeOrderWhateverTheCreationOrder) {
  // 1 x 3 routers; tiles 0 and 1 both send 4 flits to tile 2 over the link from router 1 to
  // router 2 (router 2 cycles, link 1). The late source sends at 10 from tile 1, the early one
  // at 5 from tile 0: their heads enter their routers at 11 and 6. Tile 0's head reaches router
  // 1 at 6 + 2 + 1 = 9 and may cross at 11; tile 1's head may cross at 13: tile 0 wins the link.
  // Its flits cross router 1 at 11..14, router 2 at 14..17, out at 15..18: received at 18. Its
  // tail frees the link at 14; tile 1's head takes it at 15 and crosses router 2 at 18 (arrives
  // 16, eligible 18): out at 19..22. Two meshes in one simulation: on one the late source's
  // process is created first, on the other the early one's; both give these times.
  MeshBench b1("cols: 3, rows: 1, flit: 32B, router_latency: 2, link_latency: 1", 3, Cycles(0),
               "late_first");
  Source late1("late1", b1.tb, *b1.noc), early1("early1", b1.tb, *b1.noc);
  MeshBench b2("cols: 3, rows: 1, flit: 32B, router_latency: 2, link_latency: 1", 3, Cycles(0),
               "early_first");
  Source early2("early2", b2.tb, *b2.noc), late2("late2", b2.tb, *b2.noc);
  for (auto [late, early] : {std::pair<Source*, Source*>{&late1, &early1}, {&late2, &early2}}) {
    late->plan.push_back({Cycles(10), msg(1, 2, 128, 1)});
    early->plan.push_back({Cycles(5), msg(0, 2, 128, 0)});
  }
  sc_core::sc_start();
  for (MeshBench* b : {&b1, &b2}) {
    ASSERT_EQ(b->sink(2).got.size(), 2u);
    EXPECT_EQ(b->sink(2).got[0], (std::pair<uint64_t, Cycles>{0, Cycles(18)})) << b->name;
    EXPECT_EQ(b->sink(2).got[1], (std::pair<uint64_t, Cycles>{1, Cycles(22)})) << b->name;
  }
}

/// Two routers, tile 0 sends 8 flits at cycle 0 to tile 1, whose endpoint stores one flit every
/// 4 cycles; router 1 cycle, link 1 cycle; buffers of @p depth flits.
struct SlowConsumer {
  MeshBench b;
  Source src;
  explicit SlowConsumer(int depth)
      : b("cols: 2, rows: 1, flit: 32B, router_latency: 1, link_latency: 1, buffer_depth: " +
              std::to_string(depth),
          2, Cycles(4)),
        src("src", b.tb, *b.noc) {
    src.plan.push_back({Cycles(0), msg(0, 1, 8 * 32, 0)});
  }
};

TEST(Mesh, ATwoFlitBufferInFrontOfASlowConsumerStallsTheProducerByTheDerivedCycles) {
  // Flit i: injected s_i, crosses router 0 at d_i, router 1 at e_i, reaches the ejection buffer
  // at e_i + 1, is stored from c_i = max(e_i + 1, c_{i-1} + 4) to c_i + 4, when its slot frees
  // (credit back to router 1 a cycle later). With 2-flit buffers: s_i >= d_{i-2} + 1,
  // d_i >= max(s_i + 1, e_{i-2} + 1), e_i >= max(d_i + 2, c_{i-2} + 5), each one flit a cycle,
  // from s_0 = 1 (the message sent at 0):
  //   i  s  d  e   c
  //   0  1  2  4   5
  //   1  2  3  5   9
  //   2  3  5 10  13
  //   3  4  6 14  17
  //   4  6 11 18  21
  //   5  7 15 22  25
  //   6 12 19 26  29
  //   7 16 23 30  33   -> the message is stored at 33 + 4 = 37.
  // The producer's NI waited 1 (flit 4), 4 (flit 6) and 3 (flit 7) cycles for room in router 0:
  // 8 cycles of buffer-full stall.
  SlowConsumer s(2);
  sc_core::sc_start();
  ASSERT_EQ(s.b.sink(1).got.size(), 1u);
  EXPECT_EQ(s.b.sink(1).got[0].second, Cycles(37));
  EXPECT_EQ(s.b.stat("ni0.inject_stall_cycles"), 8.0);
  EXPECT_GE(s.b.stat("buffer_full_cycles"), 8.0);  // the routers' waits come on top
}

TEST(Mesh, WithBuffersDeepEnoughTheSameProducerNeverStalls) {
  // 8-flit buffers hold the whole packet: the producer injects at 1..8 and never waits; the
  // consumer still takes 4 cycles a flit from the first flit's arrival at 5: done at 37.
  SlowConsumer s(8);
  sc_core::sc_start();
  EXPECT_EQ(s.b.sink(1).got[0].second, Cycles(37));
  EXPECT_EQ(s.b.stat("ni0.inject_stall_cycles"), 0.0);
}

TEST(Mesh, AllToAllOnAnEightByEightMeshWithOneFlitBuffersCompletes) {
  // Every tile sends a 3-flit message to every other tile, all at cycle 0 (each source's in
  // turn): XY routing with wormhole and credits is deadlock-free, and endpoints always drain, so
  // every message arrives and every injected flit is ejected.
  MeshBench b("cols: 8, rows: 8, flit: 32B, buffer_depth: 1", 64);
  std::vector<std::unique_ptr<Source>> srcs;
  for (int t = 0; t < 64; ++t) {
    srcs.push_back(std::make_unique<Source>(("src" + std::to_string(t)).c_str(), b.tb, *b.noc));
    for (int d = 0; d < 64; ++d)
      if (d != t) srcs.back()->plan.push_back({Cycles(0), msg(t, d, 96, uint64_t(t * 64 + d))});
  }
  sc_core::sc_start();
  uint64_t received = 0, injected = 0, ejected = 0;
  for (int t = 0; t < 64; ++t) {
    received += b.sink(t).got.size();
    injected += uint64_t(b.stat("ni" + std::to_string(t) + ".flits_injected"));
    ejected += uint64_t(b.stat("ni" + std::to_string(t) + ".flits_ejected"));
  }
  EXPECT_EQ(received, 64u * 63u);
  EXPECT_EQ(injected, 64u * 63u * 3u);
  EXPECT_EQ(ejected, injected);
  EXPECT_EQ(b.stat("flits"), double(injected));
  EXPECT_GT(b.stat("buffer_full_cycles"), 0.0);  // the 1-flit buffers did push back
}

/// 1 x 3 routers, tiles 0 and 1 each send 8 flits to tile 2 at cycle 0; router and link 1 cycle;
/// buffers of @p depth flits.
struct Contended {
  MeshBench b;
  Source a, c;
  explicit Contended(int depth)
      : b("cols: 3, rows: 1, flit: 32B, router_latency: 1, link_latency: 1, buffer_depth: " +
              std::to_string(depth),
          3, Cycles(0), "mesh_depth" + std::to_string(depth)),
        a(("a" + std::to_string(depth)).c_str(), b.tb, *b.noc),
        c(("c" + std::to_string(depth)).c_str(), b.tb, *b.noc) {
    a.plan.push_back({Cycles(0), msg(0, 2, 256, 0)});
    c.plan.push_back({Cycles(0), msg(1, 2, 256, 1)});
  }
  /// When each message arrived, in arrival order.
  std::vector<Cycles> times() {
    std::vector<Cycles> t;
    for (const auto& g : b.sink(2).got) t.push_back(g.second);
    return t;
  }
};

TEST(Mesh, ARouterBufferDepthSweepGivesLatenciesThatFallWithDepthAndMatchTheDerivedEnds) {
  // Both heads enter their routers at 1. Tile 1's head is at router 1 from 1 and takes the link
  // to router 2 at 2, before tile 0's head arrives there (at 3): tile 1 first, then tile 0 after
  // its tail.
  //  - 8 flits of buffer (more than a credit's round trip, link + router + 1 = 3): no credit
  //    stalls. Tile 1's flits cross router 1 at 2..9, router 2 at 4..11, out at 5..12: 12.
  //    Tile 0's flits wait at router 1; its head takes the link at 10 (the tail freed it at 9),
  //    crossing router 1 at 10..17, router 2 at 12..19: out at 20.
  //  - 1 flit: each hop passes a flit every round trip of 3 cycles. Tile 1: flit i crosses
  //    router 1 at 2 + 3i and router 2 at 4 + 3i, out at 5 + 3i: 26. Tile 0's head is allocated
  //    the link at 24 (tail through at 23) but its buffer's credit is back only at 26: flit i out
  //    at 29 + 3i: 50.
  // Four meshes in one simulation, one per depth.
  std::vector<std::unique_ptr<Contended>> runs;
  for (int d : {1, 2, 4, 8}) runs.push_back(std::make_unique<Contended>(d));
  sc_core::sc_start();
  std::vector<std::vector<Cycles>> t;
  for (auto& r : runs) {
    t.push_back(r->times());
    ASSERT_EQ(t.back().size(), 2u);
  }
  EXPECT_EQ(t[0], (std::vector<Cycles>{Cycles(26), Cycles(50)}));
  EXPECT_EQ(t[3], (std::vector<Cycles>{Cycles(12), Cycles(20)}));
  for (size_t k = 1; k < t.size(); ++k) {
    EXPECT_LE(t[k][0], t[k - 1][0]) << "depth index " << k;
    EXPECT_LE(t[k][1], t[k - 1][1]) << "depth index " << k;
  }
  EXPECT_LT(t[1][1], t[0][1]);  // 2 flits of buffer already help
}

}  // namespace
}  // namespace pcmsim
