// The off-chip link: `width` bytes per cycle, `latency` cycles after the last byte, one transfer
// at a time in either direction (arbitrated in its policy's order), `energy_per_byte` per byte.
// And `external`: no model here; the user binds the chip's io socket.

#include <tlm_utils/simple_target_socket.h>

#include <memory>

#include "sim/arch/common/arbiter.h"
#include "sim/arch/common/hierarchy.h"
#include "sim/arch/common/wire.h"
#include "sim/arch/io/offchip.h"
#include "sim/base/registry.h"

namespace pcmsim {

namespace {

class Link : public OffChipIo {
 public:
  tlm_utils::simple_target_socket<Link> socket;
  explicit Link(Params& p) : socket("socket") {
    // Energy: assumed ~2.5 pJ/bit for a short-reach off-chip link.
    m_wire = read_wire(p, Wire{8, Cycles(20), 20.0, 0.0, 0.0}, "the port");
    socket.register_b_transport(this, &Link::b_transport);
  }
  tlm::tlm_target_socket<>* target() override { return &socket; }
  void attach(TimeBase& tb, StatGroup& parent, EnergyLedger& ledger) override {
    m_tb = &tb;
    within(*this, [&] { m_arb = std::make_unique<Arbiter>("port", tb, 1, Policy::OldestFirst); });
    m_stats = std::make_unique<StatGroup>(basename(), &parent);
    s_transfers = &m_stats->counter("transfers", "transfers", "transfers carried");
    s_bytes = &m_stats->counter("bytes", "B", "bytes carried");
    m_stats->formula("busy_cycles", "cycles", "cycles the port carried data",
                     [this] { return double(m_arb->core().busy()[0]); });
    m_stats->formula("wait_cycles", "cycles", "cycles transfers waited for the port",
                     [this] { return double(m_arb->core().waited()); });
    const std::string path = m_stats->full_name();
    m_wire.bind(ledger, path, *s_bytes, "io");
  }
  double peak_mw(double ghz) const override { return m_wire.peak_mw(ghz); }
  std::vector<uint64_t> link_busy() const override { return {m_arb->core().busy()[0]}; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    // Catch up with the initiator's local time, then take the port.
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    const uint64_t bytes = trans.get_data_length();
    const uint64_t requester = trans.is_read() ? 0 : 1;
    // Reads (the controller) and writes (retire) come from different processes: each call waits
    // on its own event, since an event shared by two waiters keeps only the earlier of two
    // pending notifications.
    sc_core::sc_event wake;
    m_arb->serve(requester, m_wire.busy(bytes), m_wire.latency, -1, wake);
    s_transfers->add(1, -1);
    s_bytes->add(bytes, -1);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  Wire m_wire;
  TimeBase* m_tb = nullptr;
  std::unique_ptr<Arbiter> m_arb;
  Counter *s_transfers = nullptr, *s_bytes = nullptr;
};

class External : public OffChipIo {
 public:
  explicit External(Params&) {}
  void attach(TimeBase&, StatGroup&, EnergyLedger&) override {}
  tlm::tlm_target_socket<>* target() override { return nullptr; }
  double peak_mw(double) const override { return 0.0; }
  std::vector<uint64_t> link_busy() const override { return {}; }
};

}  // namespace

PCMSIM_REGISTER(OffChipIo, Link, "link",
                "off-chip link: TLM-2.0 target, width B/cycle, latency, energy per byte");
PCMSIM_REGISTER(OffChipIo, External, "external",
                "no model: bind the chip's io socket to your own TLM-2.0 target");

}  // namespace pcmsim
