#include "sim/arch/common/timebase.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace pcmsim {

TimeBase::TimeBase(const Clock& clock) : m_clock(clock) {
  // A cycle in the kernel's time units (its resolution), at least 2 so that it has a decision
  // phase.
  const double unit_ns = sc_core::sc_get_time_resolution().to_seconds() * 1e9;
  m_period_ps = std::max<uint64_t>(2, uint64_t(std::llround(clock.period_ns() / unit_ns)));
  m_half_ps = m_period_ps / 2;
}

Cycles TimeBase::now() const {
  return Cycles(uint64_t(sc_core::sc_time_stamp().value()) / m_period_ps);
}

bool TimeBase::at_edge() const {
  return uint64_t(sc_core::sc_time_stamp().value()) % m_period_ps == 0;
}

void TimeBase::notify_edge(sc_core::sc_event& e, Cycles t) {
  const uint64_t at = t.count() * m_period_ps, cur = uint64_t(sc_core::sc_time_stamp().value());
  if (at < cur) throw std::logic_error("notify_edge: cycle in the past");
  ++m_events;
  if (at == cur) {
    e.notify(sc_core::SC_ZERO_TIME);
  } else {
    e.notify(sc_core::sc_time::from_value(at - cur));
  }
}

void TimeBase::notify_decision(sc_core::sc_event& e, Cycles t) {
  const uint64_t at = t.count() * m_period_ps + m_half_ps,
                 cur = uint64_t(sc_core::sc_time_stamp().value());
  if (at < cur) throw std::logic_error("notify_decision: decision phase in the past");
  ++m_events;
  if (at == cur) {
    e.notify(sc_core::SC_ZERO_TIME);
  } else {
    e.notify(sc_core::sc_time::from_value(at - cur));
  }
}

void TimeBase::wait_until(Cycles t) {
  const uint64_t at = t.count() * m_period_ps, cur = uint64_t(sc_core::sc_time_stamp().value());
  if (at <= cur) return;
  ++m_events;
  sc_core::wait(sc_core::sc_time::from_value(at - cur));
}

void TimeBase::wait(sc_core::sc_event& e) {
  ++m_events;
  sc_core::wait(e);
}

Policy read_policy(Params& p, const std::string& what, Policy def) {
  return parse_policy(p.get<std::string>("arbitration")
                          .desc("order in which " + what)
                          .choices({"oldest_first", "round_robin"})
                          .def(def == Policy::OldestFirst ? "oldest_first" : "round_robin"));
}

Policy parse_policy(const std::string& name) {
  if (name == "oldest_first") return Policy::OldestFirst;
  if (name == "round_robin") return Policy::RoundRobin;
  throw std::invalid_argument("unknown arbitration policy '" + name + "'");
}

}  // namespace pcmsim
