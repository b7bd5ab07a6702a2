#include "sim/arch/noc/router.h"

#include <algorithm>

namespace pcmsim {

Router::Router(sc_core::sc_module_name name, TimeBase& tb, int x, int y, int locals,
               const RouterSettings& s, const RouterStats& stats)
    : sc_module(name),
      m_tb(tb),
      m_x(x),
      m_y(y),
      m_set(s),
      m_stats(stats),
      m_in(size_t(kLocal + locals)),
      m_out(size_t(kLocal + locals)) {
  SC_METHOD(decide);
  sensitive << m_wake;
  dont_initialize();
}

void Router::connect_out(int port, FlitReceiver* next, int next_port, int depth, Cycles latency) {
  Out& o = m_out[size_t(port)];
  o.next = next;
  o.next_port = next_port;
  o.credits = uint32_t(depth);
  o.latency = latency;
}

void Router::connect_in(int port, CreditReceiver* up, int up_port) {
  m_in[size_t(port)].up = up;
  m_in[size_t(port)].up_port = up_port;
}

void Router::accept(int port, const Flit& f) {
  m_in[size_t(port)].buf.push_back(f);
  m_tb.notify_decision(m_wake, f.arrival + m_set.router_latency);
}

void Router::credit(int port, Cycles at) {
  m_out[size_t(port)].pending.push_back(at);
  m_tb.notify_decision(m_wake, at);
}

uint32_t Router::route(const MeshPacket& p) const {
  // XY: along the source's row to the destination's column, then along that column. A
  // destination's branch passes here if this router is on its route.
  uint32_t mask = 0;
  auto between = [](int v, int a, int b) { return v >= std::min(a, b) && v <= std::max(a, b); };
  for (const MeshPacket::Dest& d : p.dests) {
    const bool on = (m_y == p.src_y && between(m_x, p.src_x, d.x)) ||
                    (m_x == d.x && between(m_y, p.src_y, d.y));
    if (!on) continue;
    int port;
    if (m_x == d.x && m_y == d.y) {
      port = kLocal + d.port;
    } else if (m_x != d.x) {
      port = d.x > m_x ? kEast : kWest;
    } else {
      port = d.y > m_y ? kSouth : kNorth;
    }
    mask |= uint32_t(1) << port;
  }
  return mask;
}

void Router::stall(In& in, int cause, Cycles now) {
  if (in.stall == cause) return;
  unstall(in, now);  // the wait so far, to its own cause
  in.stall = cause;
  in.since = now;
}

void Router::unstall(In& in, Cycles now) {
  if (in.stall == 0) return;
  const uint64_t waited = (now - in.since).count();
  const int tag = in.buf.empty() ? -1 : in.buf.front().pkt->msg->tag;
  if (waited) (in.stall == 1 ? m_stats.buffer_full : m_stats.contention)->add(waited, tag);
  in.stall = 0;
}

void Router::allocate(Cycles now) {
  // Separable allocation, outputs in port order: each free output picks among the eligible
  // heads that want it; a head takes all the outputs it wants at once or none.
  const int n = int(m_in.size());
  for (int o = 0; o < int(m_out.size()); ++o) {
    Out& out = m_out[size_t(o)];
    if (out.alloc >= 0) continue;
    int best = -1;
    for (int k = 0; k < n; ++k) {
      const int i = m_set.policy == Policy::RoundRobin ? (out.rr + 1 + k) % n : k;
      In& in = m_in[size_t(i)];
      if (in.held || !in.routed || !(in.want >> o & 1) || !eligible(in, now)) continue;
      if (m_set.policy == Policy::RoundRobin) {
        best = i;
        break;
      }
      if (best < 0 || in.buf.front().arrival < m_in[size_t(best)].buf.front().arrival) best = i;
    }
    if (best < 0) continue;
    In& win = m_in[size_t(best)];
    bool all_free = true;
    for (int p = 0; p < int(m_out.size()); ++p)
      if ((win.want >> p & 1) && m_out[size_t(p)].alloc >= 0) all_free = false;
    if (!all_free) continue;
    for (int p = 0; p < int(m_out.size()); ++p) {
      if (!(win.want >> p & 1)) continue;
      m_out[size_t(p)].alloc = best;
      m_out[size_t(p)].rr = best;
    }
    win.held = win.want;
  }
}

void Router::decide() {
  const Cycles now = m_tb.now();
  // 1. Credits back by now; heads at the front of their buffers routed; free outputs allocated.
  for (Out& o : m_out) {
    while (!o.pending.empty() && o.pending.front() <= now) {
      ++o.credits;
      o.pending.pop_front();
    }
  }
  for (In& in : m_in) {
    if (!in.routed && !in.buf.empty() && in.buf.front().head()) {
      in.want = route(*in.buf.front().pkt);
      in.routed = true;
    }
  }
  allocate(now);
  // 2. Switch traversal, 3. the next decision.
  for (In& in : m_in) traverse(in, now);
  schedule_next(now);
}

void Router::traverse(In& in, Cycles now) {
  // An input with its outputs moves its front flit if every output has a credit.
  if (!eligible(in, now)) return;
  if (!in.held) {
    stall(in, 2, now);
    return;
  }
  for (size_t o = 0; o < m_out.size(); ++o) {
    if ((in.held >> o & 1) && m_out[o].credits == 0) {
      stall(in, 1, now);
      return;
    }
  }
  unstall(in, now);
  const Flit f = in.buf.front();
  in.buf.pop_front();
  int outs = 0;
  for (size_t o = 0; o < m_out.size(); ++o) {
    if (!(in.held >> o & 1)) continue;
    Out& out = m_out[o];
    --out.credits;
    ++out.busy;
    ++outs;
    Flit g = f;
    g.arrival = now + out.latency;
    out.next->accept(out.next_port, g);
  }
  m_stats.flit_hops->add(uint64_t(outs), f.pkt->msg->tag);
  if (in.up) in.up->credit(in.up_port, now + Cycles(1));
  if (f.tail()) {
    for (size_t o = 0; o < m_out.size(); ++o)
      if (in.held >> o & 1) m_out[o].alloc = -1;
    in.held = 0;
    in.routed = false;
  }
}

void Router::schedule_next(Cycles now) {
  // A front flit that becomes eligible later, one that can try again next cycle, or, for one
  // waiting for a credit, the next credit's return. (An event keeps only its earliest pending
  // notification, so the next wake is always recomputed from the state.)
  Cycles next;
  bool any = false;
  auto consider = [&](Cycles at) {
    next = any ? (at < next ? at : next) : at;
    any = true;
  };
  bool credit_wait = false;
  for (const In& in : m_in) {
    if (in.buf.empty()) continue;
    const Cycles at = in.buf.front().arrival + m_set.router_latency;
    if (at > now) {
      consider(at);
    } else if (in.stall == 1) {
      credit_wait = true;
    } else {
      consider(now + Cycles(1));
    }
  }
  if (credit_wait)
    for (const Out& o : m_out)
      if (!o.pending.empty()) consider(max(o.pending.front(), now + Cycles(1)));
  if (any) m_tb.notify_decision(m_wake, next);
}

}  // namespace pcmsim
