#include "sim/arch/common/credits.h"

#include <algorithm>

namespace pcmsim {

uint64_t Credits::acquire(uint64_t n, Counter* stall, int tag) {
  const Cycles t0 = m_tb.now();
  while (!available(n)) m_tb.wait(m_released);
  if (m_capacity != kUnlimited) m_free -= n;
  const uint64_t waited = (m_tb.now() - t0).count();
  if (stall && waited) stall->add(waited, tag);
  return waited;
}

void Credits::release(uint64_t n) {
  if (m_capacity != kUnlimited) m_free += n;
  m_tb.count_event();
  m_released.notify(sc_core::SC_ZERO_TIME);
}

void Window::enter(uint64_t q, Counter* stall, int tag) {
  const Cycles t0 = m_tb.now();
  while (q >= m_limit) m_tb.wait(m_moved);
  const uint64_t waited = (m_tb.now() - t0).count();
  if (stall && waited) stall->add(waited, tag);
}

void Window::advance(uint64_t limit) {
  if (limit <= m_limit) return;
  m_limit = limit;
  m_tb.count_event();
  m_moved.notify(sc_core::SC_ZERO_TIME);
}

SharedSpace::SharedSpace(sc_core::sc_module_name name, TimeBase& tb, uint64_t capacity,
                         Policy policy)
    : sc_module(name), m_tb(tb), m_capacity(capacity), m_free(capacity), m_policy(policy) {
  SC_METHOD(decide);
  sensitive << m_decide;
  dont_initialize();
}

void SharedSpace::acquire(uint64_t n, uint64_t requester, sc_core::sc_event& wake, Counter* stall,
                          int tag) {
  const Cycles t0 = m_tb.now();
  Request r{n, requester, t0, &wake, false};
  m_waiting.push_back(&r);
  m_tb.notify_decision(m_decide, t0);
  while (!r.granted || m_tb.now() <= t0) m_tb.wait(wake);
  // Granted in a decision phase; continuing at the next edge is a one-cycle handshake, not a
  // stall: only the cycles beyond it count.
  const uint64_t waited = (m_tb.now() - t0).count() - 1;
  if (stall && waited) stall->add(waited, tag);
}

void SharedSpace::release(uint64_t n) {
  if (m_capacity != kUnlimited) m_free = std::min(m_capacity, m_free + n);
  if (!m_waiting.empty()) m_tb.notify_decision(m_decide, m_tb.now());
}

void SharedSpace::decide() {
  const Cycles now = m_tb.now();
  const uint64_t last = m_last;
  const bool any = m_any;
  auto rr_key = [last, any](uint64_t r) { return any && r <= last ? r + (uint64_t(1) << 63) : r; };
  std::stable_sort(m_waiting.begin(), m_waiting.end(), [&](const Request* a, const Request* b) {
    if (m_policy == Policy::OldestFirst) {
      if (a->posted != b->posted) return a->posted < b->posted;
      return a->requester < b->requester;
    }
    const uint64_t ka = rr_key(a->requester), kb = rr_key(b->requester);
    if (ka != kb) return ka < kb;
    return a->posted < b->posted;
  });
  size_t granted = 0;
  for (Request* r : m_waiting) {
    const bool fits =
        m_capacity == kUnlimited || r->n <= m_free || (r->n > m_capacity && m_free == m_capacity);
    if (!fits) break;  // strictly in turn
    if (m_capacity != kUnlimited) m_free -= std::min(m_free, r->n);
    r->granted = true;
    m_last = r->requester;
    m_any = true;
    m_tb.notify_edge(*r->wake, now + Cycles(1));
    ++granted;
  }
  m_waiting.erase(m_waiting.begin(), m_waiting.begin() + long(granted));
}

}  // namespace pcmsim
