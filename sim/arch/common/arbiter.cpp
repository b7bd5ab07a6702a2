#include "sim/arch/common/arbiter.h"

#include <algorithm>
#include <stdexcept>

namespace pcmsim {

ArbiterCore::ArbiterCore(int servers, Policy policy)
    : m_policy(policy), m_free_at(size_t(std::max(1, servers))), m_busy(m_free_at.size(), 0) {}

void ArbiterCore::post(Ticket* t, Cycles now) {
  t->posted = now;
  t->granted = false;
  m_waiting.push_back(t);
}

Cycles ArbiterCore::next_free(Cycles now) const {
  Cycles t = m_free_at.front();
  for (Cycles f : m_free_at) t = f < t ? f : t;
  return max(t, now);
}

void ArbiterCore::decide(Cycles now, std::vector<Ticket*>& granted) {
  if (m_waiting.empty()) return;
  // Policy order: oldest first (ties by requester), or round robin over requester ids starting
  // after the last one served (ties, the same requester twice, by posting cycle). A requester's
  // own requests keep their order (stable sort).
  const uint64_t last = m_last;
  const bool any = m_any;
  auto rr_key = [last, any](uint64_t r) { return any && r <= last ? r + (uint64_t(1) << 63) : r; };
  if (m_policy == Policy::OldestFirst) {
    std::stable_sort(m_waiting.begin(), m_waiting.end(), [](const Ticket* a, const Ticket* b) {
      if (a->posted != b->posted) return a->posted < b->posted;
      return a->requester < b->requester;
    });
  } else {
    std::stable_sort(m_waiting.begin(), m_waiting.end(), [&](const Ticket* a, const Ticket* b) {
      const uint64_t ka = rr_key(a->requester), kb = rr_key(b->requester);
      if (ka != kb) return ka < kb;
      return a->posted < b->posted;
    });
  }
  size_t kept = 0;
  for (size_t i = 0; i < m_waiting.size(); ++i) {
    Ticket* t = m_waiting[i];
    int server = -1;
    for (size_t s = 0; s < m_free_at.size(); ++s) {
      if (m_free_at[s] <= now) {
        server = int(s);
        break;
      }
    }
    if (server < 0) {
      m_waiting[kept++] = t;
      continue;
    }
    t->granted = true;
    t->start = now;
    t->done = now + t->busy + t->latency;
    m_free_at[size_t(server)] = now + t->busy;
    m_busy[size_t(server)] += t->busy.count();
    m_waited += (now - t->posted).count();
    m_last = t->requester;
    m_any = true;
    granted.push_back(t);
  }
  m_waiting.resize(kept);
}

Arbiter::Arbiter(sc_core::sc_module_name name, TimeBase& tb, int servers, Policy policy)
    : sc_module(name), m_tb(tb), m_core(servers, policy) {
  SC_METHOD(decide);
  sensitive << m_decide;
  dont_initialize();
}

void Arbiter::post(Ticket& t) {
  if (!m_tb.at_edge()) throw std::logic_error(std::string(name()) + ": request posted off an edge");
  const Cycles now = m_tb.now();
  m_core.post(&t, now);
  m_tb.notify_decision(m_decide, m_core.next_free(now));
}

void Arbiter::decide() {
  const Cycles now = m_tb.now();
  m_granted.clear();
  m_core.decide(now, m_granted);
  for (Ticket* t : m_granted) {
    // Done at an edge after this decision phase: a zero-length request finishes next cycle.
    if (t->done <= now) t->done = now + Cycles(1);
    if (t->wake) m_tb.notify_edge(*t->wake, t->done);
  }
  if (m_core.waiting()) m_tb.notify_decision(m_decide, max(m_core.next_free(now), now + Cycles(1)));
}

Ticket Arbiter::serve(uint64_t requester, Cycles busy, Cycles latency, int tag,
                      sc_core::sc_event& wake) {
  Ticket t;
  t.requester = requester;
  t.busy = busy;
  t.latency = latency;
  t.tag = tag;
  t.wake = &wake;
  post(t);
  while (m_tb.now() < t.done || !t.granted) m_tb.wait(wake);
  return t;
}

}  // namespace pcmsim
