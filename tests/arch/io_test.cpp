// The off-chip link as a TLM-2.0 target, driven by initiators written here.

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/arch/common/hierarchy.h"
#include "sim/arch/io/offchip.h"
#include "sim/base/config.h"

namespace pcmsim {
namespace {

/// An initiator with two processes on one socket, as the chip's controller and retire are: one
/// reads `in` bytes at cycle `in_at`, the other writes `out` bytes at `out_at`; each records when
/// its b_transport returned.
struct Initiator : sc_core::sc_module {
  SC_HAS_PROCESS(Initiator);
  Initiator(sc_core::sc_module_name n, TimeBase& t) : sc_module(n), tb(t) {
    SC_THREAD(reader);
    SC_THREAD(writer);
  }
  void transfer(Cycles at, std::vector<unsigned char>& data, bool read, Cycles& done) {
    tb.wait_until(at);
    tlm::tlm_generic_payload p;
    p.set_command(read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    p.set_data_ptr(data.data());
    p.set_data_length(static_cast<unsigned>(data.size()));
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(p, delay);
    sc_core::wait(delay);
    done = tb.now();
    ++finished;
  }
  void reader() { transfer(Cycles(0), in, true, in_done); }
  void writer() { transfer(Cycles(3), out, false, out_done); }
  tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
  TimeBase& tb;
  std::vector<unsigned char> in = std::vector<unsigned char>(64),
                             out = std::vector<unsigned char>(16);
  Cycles in_done, out_done;
  int finished = 0;
};

TEST(OffChipLink, AReadAndAWriteThatOverlapEachFinishAtTheirOwnTime) {
  // A link of 8 B per cycle and 20 cycles' latency, shared by both directions, oldest first.
  // The read of 64 B posted at cycle 0 takes the link 0..8 and is done at 8 + 20 = 28. The write
  // of 16 B posted at cycle 3 waits for the link, takes it 8..10 and is done at 10 + 20 = 30,
  // two cycles after the read, while the read's completion is still pending when the write is
  // granted.
  TimeBase tb{Clock(1.0)};
  auto root = parse_config_text("io: {impl: link, width: 8B, latency: 20}\n", "io.yaml");
  auto ctx = std::make_shared<ParamContext>();
  Params top(root.get(), "", ctx);
  Params p = top.child("io");
  StatGroup stats("chip");
  EnergyLedger ledger;
  std::unique_ptr<OffChipIo> io = create_module<OffChipIo>(p, "io", "link");
  io->attach(tb, stats, ledger);
  check_unused(*root, *ctx);
  Initiator host("host", tb);
  host.socket.bind(*io->target());
  sc_core::sc_start();
  ASSERT_EQ(host.finished, 2);
  EXPECT_EQ(host.in_done, Cycles(28));
  EXPECT_EQ(host.out_done, Cycles(30));
  EXPECT_EQ(stats.find("io.bytes")->value(), 80.0);
  // 80 B at the link's default 20 pJ per byte, in its own energy class (papers often leave
  // off-chip I/O out of their efficiency), none of it in the on-chip interconnect's.
  const EnergyBreakdown e = ledger.evaluate(30.0);
  EXPECT_DOUBLE_EQ(e.by_class_pj.at("io"), 80.0 * 20.0);
  EXPECT_DOUBLE_EQ(e.by_class_pj.at("interconnect"), 0.0);
}

}  // namespace
}  // namespace pcmsim
