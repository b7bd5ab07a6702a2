#include "sim/arch/noc/interconnect.h"

#include "sim/arch/common/credits.h"

namespace pcmsim {

Deliveries::Deliveries(sc_core::sc_module_name name, TimeBase& tb) : sc_module(name), m_tb(tb) {
  SC_THREAD(run);
}

void Deliveries::add(Cycles at, std::shared_ptr<const Message> m) {
  m_queue.emplace_back(at, std::move(m));
  m_tb.count_event();
  m_added.notify(sc_core::SC_ZERO_TIME);
}

void Deliveries::run() {
  for (;;) {
    while (m_queue.empty()) m_tb.wait(m_added);
    m_tb.wait_until(m_queue.front().first);
    const std::shared_ptr<const Message> m = m_queue.front().second;
    m_queue.pop_front();
    m_ep->received(*m);
  }
}

void Interconnect::set_endpoint(int e, Endpoint* ep) {
  if (m_endpoints.size() < size_t(m_tiles) + 1) m_endpoints.resize(size_t(m_tiles) + 1, nullptr);
  m_endpoints[index(e)] = ep;
}

uint64_t read_queue_size(Params& p) {
  const std::string text =
      p.get<std::string>("queue")
          .desc(
              "send-queue capacity of every network interface (a tile's output register, the "
              "global buffer's DMA queue) in B; auto: twice the largest message each sends; "
              "unlimited: no limit")
          .def("auto");
  if (text == "auto") return 0;
  if (text == "unlimited") return kUnlimited;
  try {
    const int64_t b = detail::from_text<int64_t>(text, "B");
    if (b < 1) p.fail("queue", "must be at least 1 B (or auto, unlimited)");
    return uint64_t(b);
  } catch (const std::invalid_argument& e) {
    p.fail("queue", std::string("expected a size in B, auto or unlimited: ") + e.what());
  }
}

}  // namespace pcmsim
